-- A rule file must return a table of functions.
return 42
