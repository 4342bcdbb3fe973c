"""Developer tools: synthetic studies for demonstrations, page work and benchmarks."""
