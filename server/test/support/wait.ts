// Waiting for a condition, never for a fixed time: loaded machines are slow, fast ones need not wait.

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  opts: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what}`);
    await pause(opts.intervalMs ?? 100);
  }
}

/** A short pause between polls of a condition (not a wait for something to happen). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
