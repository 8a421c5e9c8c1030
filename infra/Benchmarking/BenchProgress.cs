using System.Globalization;

namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// The live display: on a terminal one line rewritten in place (scenario, requests done, failures, the TTFT so far),
/// then one line per finished scenario; elsewhere only the finished lines, so logs stay readable.
/// </summary>
internal sealed class BenchProgress(TextWriter writer, bool live) : IBenchProgress
{
    private readonly object _gate = new();
    private string _scenario = "";
    private int _done;
    private int _failed;
    private double _lastTtftMs;

    public void Priming(ChatTarget target, int requests)
    {
        lock (_gate) Write($"priming {target.Name} ({requests} untimed request{(requests == 1 ? "" : "s")})", final: !live);
    }

    public void ScenarioStarted(ChatTarget target, int context, int concurrency, int index, int count)
    {
        lock (_gate)
        {
            _scenario = $"[{index}/{count}] {target.Name} ctx {context} c={concurrency}";
            _done = _failed = 0;
            if (live) Write(_scenario + ": starting", final: false);
        }
    }

    public void RequestDone(RequestSample sample)
    {
        lock (_gate)
        {
            _done++;
            if (sample.Outcome != SampleOutcome.Ok) _failed++;
            if (sample.Ttft is { } t) _lastTtftMs = t.TotalMilliseconds;
            if (live) Write($"{_scenario}: {_done} done, {_failed} failed, last TTFT {_lastTtftMs.ToString("0", CultureInfo.InvariantCulture)} ms", final: false);
        }
    }

    public void ScenarioDone(ScenarioSummary summary)
    {
        lock (_gate)
        {
            var ttft = summary.TtftP50Ms is { } p ? $"TTFT p50 {p.ToString("0", CultureInfo.InvariantCulture)} ms" : "no TTFT";
            var decode = summary.DecodeTokensPerSecond is { } d ? $", decode {d.ToString("0.0", CultureInfo.InvariantCulture)} tok/s" : "";
            Write($"{_scenario}: {summary.Ok}/{summary.Requests} ok, {ttft}{decode}", final: true);
        }
    }

    private void Write(string line, bool final)
    {
        if (live)
        {
            writer.Write("\r\u001b[2K" + line);
            if (final) writer.WriteLine();
        }
        else if (final)
        {
            writer.WriteLine(line);
        }
        writer.Flush();
    }
}
