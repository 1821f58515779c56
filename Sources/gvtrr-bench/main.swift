import GPUModel

print("gvtrr-bench: no benchmarks yet")
