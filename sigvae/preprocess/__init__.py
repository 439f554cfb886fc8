"""Domain-free preprocessors that ship with the kernel (registered by ``sigvae.builtin``)."""
