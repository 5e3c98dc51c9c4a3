/**
 * A min-heap of deadlines: the group state machine's timers, kept as data so the machine
 * stays pure (the runtime sets one real timer for `peek()` and calls the machine's `tick`).
 * Entries are never removed early: whoever pops one checks that it still applies (the
 * member's current deadline equals the entry's time), which keeps rescheduling O(log n).
 */
export interface Deadline {
  at: number;
  groupId: string;
  kind: 'member' | 'pending' | 'join' | 'sync';
  /** For 'member' and 'pending'. */
  memberId: string;
}

export class DeadlineQueue {
  private readonly heap: Deadline[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(deadline: Deadline): void {
    const heap = this.heap;
    heap.push(deadline);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= heap[i]!.at) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  peek(): Deadline | undefined {
    return this.heap[0];
  }

  pop(): Deadline | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left]!.at < heap[smallest]!.at) smallest = left;
        if (right < heap.length && heap[right]!.at < heap[smallest]!.at) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
        i = smallest;
      }
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
