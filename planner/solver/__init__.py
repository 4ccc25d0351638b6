"""The packing engine: the integer problem, first fit, bounds, the CP-SAT model, LNS and the time
budget (`clock`, `budget`); `solve.solve` is the one entry point. It receives loaded profiles and
never touches files, and imports nothing from io, study, business, sweeps or ui."""
