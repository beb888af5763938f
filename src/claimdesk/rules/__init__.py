"""Pure business rules: no database, no I/O, no clock. Everything here is a function of
its arguments, so it can be tested exhaustively and reused by services, the conformance
runner and the command line alike."""
