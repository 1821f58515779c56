// swift-tools-version:6.0
// gvt-rr: a record-and-replay debugger for GPU mediated pass-through (Intel GVT-g, Gen9).
// Module boundaries follow docs/design.md: the arrows point one way.
import PackageDescription

/// Release builds of the per-event paths skip Swift's dynamic exclusivity checks
/// (`swift_beginAccess` was ~7 % of replay time, docs/performance.md); debug builds, which
/// run the tests, keep them, so an overlapping access is still caught there.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "gvt-rr",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gvtrr", targets: ["gvtrr"]),
        .library(name: "GPUModel", targets: ["GPUModel"]),
        .library(name: "Decode", targets: ["Decode"]),
        .library(name: "Mediator", targets: ["Mediator"]),
        .library(name: "Journal", targets: ["Journal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // One thin system-library shim per C library (module map + umbrella header).
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CCapstone", pkgConfig: "capstone", providers: [.apt(["libcapstone-dev"])]),
        .systemLibrary(name: "CDRMIntel", pkgConfig: "libdrm_intel", providers: [.apt(["libdrm-dev"])]),

        // The physical Gen9 GPU: knows nothing of virtualization, threads or clocks.
        .target(name: "GPUModel", swiftSettings: hotPath),

        // The GVT-g device model: vGPUs, trapped registers, GTT shadowing, interrupts, display.
        .target(name: "Mediator", dependencies: ["GPUModel"], swiftSettings: hotPath),

        // ACRN-style mediated pass-through plumbing: VMs, vCPUs, MMIO trapping via capstone.
        .target(name: "Hypervisor", dependencies: ["Mediator", "GPUModel", "CCapstone"], swiftSettings: hotPath),
        // The on-disk journal: event encoding, LZ4 framing, page store, index, reader, writer.
        .target(name: "Journal", dependencies: ["CLZ4"], swiftSettings: hotPath),

        // Guest drivers, workloads, scenarios and the live multi-VM runner.
        .target(name: "Bench", dependencies: ["Hypervisor", "Mediator", "GPUModel"]),
        // The logging shim: engine inputs and mediator events → journal records.
        .target(name: "Recorder", dependencies: ["Journal", "Mediator", "GPUModel"], swiftSettings: hotPath),
        // Deterministic replay, divergence and verdict reports, checkpoints, the debugger's core.
        .target(name: "Replay", dependencies: ["Journal", "Recorder", "Mediator", "GPUModel", "Decode"], swiftSettings: hotPath),
        // Behaviour diff of two journals and journal minimisation (delta debugging over guest inputs).
        .target(name: "Analysis", dependencies: ["Journal", "Replay", "Recorder", "Decode", "Mediator", "GPUModel"]),

        // Human-readable views: GPU commands, x86 instructions, register names, error states.
        .target(
            name: "Decode",
            dependencies: [
                "GPUModel", "CCapstone", "CDRMIntel",
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),

        // The command line: parses arguments, calls the libraries, formats output.
        .executableTarget(
            name: "gvtrr",
            dependencies: [
                "GPUModel", "Decode", "Journal", "Bench", "Recorder", "Replay", "Analysis", "Mediator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Release-build micro-benchmarks (never timed unit tests).
        .executableTarget(
            name: "gvtrr-bench",
            dependencies: ["GPUModel", "Mediator", "Hypervisor", "Decode", "Journal", "Recorder", "Replay", "Analysis", "Bench"]),

        .target(name: "TestSupport", dependencies: ["GPUModel", "Mediator"], path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CLZ4", "CCapstone", "CDRMIntel"]),
        .testTarget(name: "GPUModelTests", dependencies: ["GPUModel", "TestSupport"]),
        .testTarget(name: "MediatorTests", dependencies: ["Mediator", "GPUModel", "TestSupport"]),
        .testTarget(name: "HypervisorTests", dependencies: ["Hypervisor", "Mediator", "GPUModel", "TestSupport"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal"]),
        .testTarget(name: "RecorderTests", dependencies: ["Recorder", "Journal", "Mediator", "GPUModel", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Replay", "Recorder", "Journal", "Mediator", "GPUModel", "Bench"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Recorder", "Journal", "Mediator", "GPUModel", "Bench", "TestSupport"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Hypervisor", "Mediator", "GPUModel", "TestSupport"]),
        .testTarget(name: "DecodeTests", dependencies: ["Decode", "GPUModel", "TestSupport"]),
        .testTarget(name: "gvtrrTests", dependencies: ["GPUModel", "Journal", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
