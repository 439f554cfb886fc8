"""The shipped default denoiser weights and their model card (data files only)."""
