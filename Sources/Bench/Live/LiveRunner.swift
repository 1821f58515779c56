import Foundation
import GPUModel
import Hypervisor
import Mediator

/// The live runner's threads around a `LiveEngine`: a scheduler timer (1 ms tick →
/// dispatch), a vblank timer (`vblankTimerFired` every `vblankPeriod` while needed), a
/// hangcheck timer (`gpu.hangcheck()`, events forwarded) and a GPU thread that lets the GPU's
/// virtual time follow the monotonic clock, runs busy engines in slices up to "now" and
/// delivers the GPU's events to the mediator. Every step enters the engine's lock.
/// Guests run on their own threads (`runGuests`). Timing differs run to run: that is the point.
public final class LiveRunner: @unchecked Sendable {
    /// The engine all threads enter.
    public let engine: LiveEngine
    /// Period of the hangcheck timer (10 ms; with the GPU's thresholds a semaphore hang is
    /// declared after about 30 ms, a loop after about 120 ms).
    public var hangcheckPeriod: Double = 0.010
    /// Sleep between GPU slices.
    public var gpuSlice: Double = 0.0002
    private let flag = NSLock()
    private var stopping = false
    private var finished: [DispatchSemaphore] = []

    /// A runner over `engine` (threads start with `start()`).
    public init(engine: LiveEngine) { self.engine = engine }

    var shouldStop: Bool {
        flag.lock()
        defer { flag.unlock() }
        return stopping
    }

    private func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        finished.append(done)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Starts the timer and GPU threads.
    public func start() {
        let engine = self.engine
        spawn("scheduler") { [self] in
            while !shouldStop {
                engine.perform(.schedulerTick)  // GVT's 1 ms tbs tick
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        spawn("vblank") { [self] in
            let period = Double(engine.mediator.vblankPeriod) / 1e9
            while !shouldStop {
                Thread.sleep(forTimeInterval: period)
                engine.perform(.vblankTick)
            }
        }
        spawn("hangcheck") { [self] in
            while !shouldStop {
                Thread.sleep(forTimeInterval: hangcheckPeriod)
                engine.perform(.hangcheckTick)
            }
        }
        spawn("gpu") { [self] in
            while !shouldStop {
                engine.perform(.gpuSlice)
                Thread.sleep(forTimeInterval: gpuSlice)
            }
        }
    }

    /// Stops the timer and GPU threads and waits for them.
    public func stop() {
        flag.lock()
        stopping = true
        flag.unlock()
        for done in finished { done.wait() }
        finished.removeAll()
    }

    /// Runs each body on its own thread (one per vCPU) and waits for all of them.
    public func runGuests(_ bodies: [@Sendable () -> Void]) {
        let group = DispatchGroup()
        for (k, body) in bodies.enumerated() {
            group.enter()
            let thread = Thread {
                body()
                group.leave()
            }
            thread.name = "vcpu\(k)"
            thread.start()
        }
        group.wait()
    }
}
