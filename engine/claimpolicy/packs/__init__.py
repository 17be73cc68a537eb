"""Policy packs: versioned folders of TOML rules, loaded, checked and resolved."""
