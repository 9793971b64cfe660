/**
 * Ctrl-C aborts the work in progress at the next safe point (after the current batch, whose checkpoint is
 * written), so the same command run again resumes. A second Ctrl-C exits at once.
 */
export function abortOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nragbench: stopping after the current batch (Ctrl-C again to quit now)\n');
    controller.abort(new DOMException('interrupted', 'AbortError'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
