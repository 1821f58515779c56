/// A least-recently-used cache with a byte budget: O(1) lookup, insert and eviction
/// (a doubly linked list threaded through arrays, so no per-node allocation).
struct LRUCache<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var cost: Int
        var newer: Int
        var older: Int
    }

    private var nodes: [Node] = []
    private var free: [Int] = []
    private var slots: [Key: Int] = [:]
    private var newest = -1
    private var oldest = -1
    /// Total cost of the cached values.
    private(set) var cost = 0
    /// The cost above which the least recently used values are evicted.
    let budget: Int

    init(budget: Int) { self.budget = budget }

    /// Number of cached values.
    var count: Int { slots.count }

    /// The value for `key`, marking it most recently used.
    mutating func value(for key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        unlink(slot)
        pushNewest(slot)
        return nodes[slot].value
    }

    /// Whether `key` is cached (without touching its recency).
    func contains(_ key: Key) -> Bool { slots[key] != nil }

    /// Caches `value` with `cost`, evicting older values to stay within the budget.
    mutating func insert(_ value: Value, for key: Key, cost itemCost: Int) {
        if let slot = slots[key] {
            cost -= nodes[slot].cost
            nodes[slot].value = value
            nodes[slot].cost = itemCost
            cost += itemCost
            unlink(slot)
            pushNewest(slot)
        } else {
            let node = Node(key: key, value: value, cost: itemCost, newer: -1, older: -1)
            let slot: Int
            if let reused = free.popLast() {
                nodes[reused] = node
                slot = reused
            } else {
                nodes.append(node)
                slot = nodes.count - 1
            }
            slots[key] = slot
            cost += itemCost
            pushNewest(slot)
        }
        while cost > budget && oldest != -1 && oldest != newest {
            evict(oldest)
        }
    }

    private mutating func evict(_ slot: Int) {
        unlink(slot)
        cost -= nodes[slot].cost
        slots[nodes[slot].key] = nil
        free.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let node = nodes[slot]
        if node.newer != -1 { nodes[node.newer].older = node.older } else { newest = node.older }
        if node.older != -1 { nodes[node.older].newer = node.newer } else { oldest = node.newer }
        nodes[slot].newer = -1
        nodes[slot].older = -1
    }

    private mutating func pushNewest(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = -1
        if newest != -1 { nodes[newest].newer = slot }
        newest = slot
        if oldest == -1 { oldest = slot }
    }
}
