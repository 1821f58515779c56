/// Guest drivers, workloads, scenarios and the live runner.
public enum BenchModule {}
