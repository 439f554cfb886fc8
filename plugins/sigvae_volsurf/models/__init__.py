"""The plugin's models: a VAE on the flattened grid and a pointwise VAE."""
