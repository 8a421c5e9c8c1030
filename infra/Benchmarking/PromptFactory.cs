using System.Globalization;
using System.Text;

namespace Llmctl.Infra.Benchmarking;

/// <summary>
/// Builds prompts of a given size in tokens. Sizes are estimated (about four characters a token for the filler's plain
/// English) and then calibrated: once a server reports the real prompt tokens, later prompts are scaled so the
/// context steps land where asked. Without <c>--vary-prompts</c> equal steps send equal prompts, so a server's prefix
/// cache may help (as it helps real chat); with it every prompt starts with its own line, so nothing is reused.
/// </summary>
public sealed class PromptFactory(bool varyPrompts, string runId)
{
    public const string SystemPrompt = "You are the target of a benchmark. Read the notes and answer at length.";
    public const string Question = "Summarize the notes above in detail, one paragraph per topic.";
    private const double CharsPerToken = 4.0;
    private static readonly string[] Words =
    [
        "the", "operator", "checked", "node", "lane", "gateway", "model", "cache", "context", "budget", "memory", "card",
        "scheduler", "runtime", "request", "token", "latency", "prefill", "decode", "slot", "queue", "alias", "metric",
        "quiet", "owned", "pinned", "digest", "locked", "file", "disk", "drift", "rollback", "preflight", "switch",
        "and", "then", "before", "after", "while", "every", "one", "again", "without", "with", "under", "load",
    ];

    private readonly object _gate = new();
    private double _scale = 1.0;
    private bool _calibrated;
    private long _counter;

    /// <summary>Real prompt tokens per estimated token, learned from the server's usage (1 until then).</summary>
    public double Scale
    {
        get
        {
            lock (_gate) return _scale;
        }
    }

    /// <summary>
    /// Learns from the first answered request that reported usage (a priming one, when priming): the estimate that was
    /// sent and what the server counted. Once only, so the timed requests of a step all send the same prompt.
    /// </summary>
    public void Calibrate(int estimated, int actual)
    {
        if (estimated < 64 || actual <= 0) return;
        lock (_gate)
        {
            if (_calibrated) return;
            _calibrated = true;
            _scale = Math.Clamp((double)actual / estimated * _scale, 0.25, 4.0);
        }
    }

    /// <summary>The estimated tokens of <paramref name="messages"/> as the server will count them.</summary>
    public int Estimate(IReadOnlyList<ChatMessage> messages) =>
        (int)Math.Round(messages.Sum(m => m.Content.Length / CharsPerToken + 4) * Scale, MidpointRounding.AwayFromZero);

    /// <summary>A fresh conversation of about <paramref name="tokens"/> prompt tokens.</summary>
    public IReadOnlyList<ChatMessage> Single(int tokens)
    {
        var system = new ChatMessage("system", SystemPrompt);
        var user = UserTurn(tokens - Estimate([system]), Nonce());
        return [system, user];
    }

    /// <summary>
    /// The next turn of a continuing session: <paramref name="history"/> as it was, plus a user turn that brings the
    /// whole to about <paramref name="tokens"/> (at least a short question when the history is already that long).
    /// </summary>
    public IReadOnlyList<ChatMessage> Continue(IReadOnlyList<ChatMessage> history, int tokens)
    {
        var start = history.Count == 0 ? [new ChatMessage("system", SystemPrompt)] : history;
        var user = UserTurn(tokens - Estimate(start), history.Count == 0 ? Nonce() : null);
        return [.. start, user];
    }

    private string? Nonce() => varyPrompts ? $"Request {runId}-{Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture)}." : null;

    private ChatMessage UserTurn(int tokens, string? nonce)
    {
        var question = Estimate([new ChatMessage("user", Question)]);
        var fillerChars = (int)(Math.Max(0, tokens - question) / Scale * CharsPerToken);
        var text = new StringBuilder(fillerChars + 200);
        if (nonce is not null) text.Append(nonce).Append('\n');
        var rng = new Random(fillerChars);
        var note = 0;
        while (text.Length < fillerChars)
        {
            text.Append("Note ").Append((++note).ToString(CultureInfo.InvariantCulture)).Append(':');
            var words = 8 + rng.Next(8);
            for (var i = 0; i < words; i++) text.Append(' ').Append(Words[rng.Next(Words.Length)]);
            text.Append(".\n");
        }
        text.Append(Question);
        return new ChatMessage("user", text.ToString());
    }
}
