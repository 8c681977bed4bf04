"""A centre's content as its installer writes it: the schema, loading a directory of YAML, the rules that
span files, the sample centre and synthetic centres of any size."""
