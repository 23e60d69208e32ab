"""Reading inputs: raw tables from files, validation against typed schemas, typed scenarios."""
