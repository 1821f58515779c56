import GPUModel

/// Shared helpers and fakes for the test targets.
public enum TestSupport {}
