"""The `hall` subcommands, a module each: its parser (`add_arguments`) and its run function (`run`)."""
