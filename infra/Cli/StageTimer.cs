using System.Diagnostics;

namespace Llmctl.Infra.Cli;

/// <summary>
/// With <c>LLMCTL_TIMINGS=1</c> (or <c>-v 9</c>), prints how long each stage of a verb took (load, compose, plan,
/// render…) to standard error, with the bytes it allocated, the garbage collections it caused and the time they paused
/// it — for finding where a slow preview spends its time. Silent otherwise.
/// </summary>
internal sealed class StageTimer(CliContext cli, System.CommandLine.ParseResult? parse = null)
{
    private readonly bool _enabled = !string.IsNullOrEmpty(cli.Environment("LLMCTL_TIMINGS")) || parse?.GetValue(GlobalOptions.Verbose) >= 9;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last;
    private long _lastAllocated = GC.GetTotalAllocatedBytes();
    private int _lastCollections = GC.CollectionCount(0);
    private TimeSpan _lastPause = GC.GetTotalPauseDuration();

    public void Mark(string stage)
    {
        if (!_enabled) return;
        var now = _clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = GC.CollectionCount(0);
        var pause = GC.GetTotalPauseDuration();
        cli.Err.WriteLine(
            $"timing: {stage,-12} {(now - _last).TotalMilliseconds,8:F1} ms  {(allocated - _lastAllocated) / 1048576.0,8:F1} MiB allocated  {collections - _lastCollections,3} GCs ({(pause - _lastPause).TotalMilliseconds:F1} ms paused)");
        _last = now;
        _lastAllocated = allocated;
        _lastCollections = collections;
        _lastPause = pause;
    }
}
