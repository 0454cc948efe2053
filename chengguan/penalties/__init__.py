"""Administrative-penalty cases (capability C6). For now only the pure statutory rules in
`domain/`; the app with models, services and the case workflow comes in later slices."""
