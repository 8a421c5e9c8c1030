using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Infra.Benchmarking;

/// <summary>One message of a chat conversation.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>
/// Where requests go: <paramref name="BaseUrl"/> is the OpenAI-compatible base (ending in <c>/v1</c>), the model name
/// to send, and the key for <c>Authorization: Bearer</c> (never printed). <paramref name="Handler"/> carries the
/// requests when they must travel another way (through the Kubernetes API server); null: straight to the URL.
/// </summary>
public sealed record ChatTarget(string Name, TargetKind Kind, Uri BaseUrl, string Model, string? ApiKey = null, HttpMessageHandler? Handler = null)
{
    public override string ToString() => Name;
}

public enum TargetKind
{
    /// <summary>A lane's own Service: the model server itself.</summary>
    Lane,
    /// <summary>A gateway alias: what clients see.</summary>
    Alias,
    /// <summary>A URL given on the command line.</summary>
    Url,
}

/// <summary>How long a request may take: in all, and without a byte arriving (a stalled server).</summary>
public sealed record RequestTimeouts(TimeSpan Total, TimeSpan Stall)
{
    public static RequestTimeouts Default { get; } = new(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2));
}

/// <summary>
/// An OpenAI-compatible streaming chat client that times what a user feels: it posts to
/// <c>/v1/chat/completions</c> with <c>stream: true</c> (asking for the usage chunk with
/// <c>stream_options.include_usage</c>), reads the server-sent events as they arrive, and records when the first
/// content token came and when the last did. Server errors, error events, broken streams and stalls become samples
/// with their outcome; only the caller's cancellation throws.
/// </summary>
public sealed class ChatStreamClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ChatTarget _target;

    public ChatStreamClient(ChatTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        // Timeouts are the sample's business (a stall is a result, not an exception), so the client never times out.
        _http = target.Handler is { } handler ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public ChatTarget Target => _target;

    /// <summary>The request body: streamed, usage asked for, temperature as given, at most <paramref name="maxTokens"/>.</summary>
    public static JsonObject Body(string model, IReadOnlyList<ChatMessage> messages, int maxTokens, double temperature) => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()),
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
        ["max_tokens"] = maxTokens,
        ["temperature"] = temperature,
    };

    /// <summary>
    /// Sends one request and times it. <paramref name="promptTokenEstimate"/> is the prompt's size when the server sends
    /// no usage. <paramref name="runStart"/> is the run's start timestamp (<see cref="Stopwatch.GetTimestamp"/>).
    /// </summary>
    public async Task<RequestSample> SendAsync(IReadOnlyList<ChatMessage> messages, int maxTokens, double temperature, int promptTokenEstimate,
        RequestTimeouts timeouts, int context, int concurrency, long runStart, CancellationToken cancellationToken, Action<string>? onReply = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(timeouts);
        using var total = new CancellationTokenSource(timeouts.Total);
        using var idle = new CancellationTokenSource(timeouts.Stall);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, total.Token, idle.Token);
        var started = Stopwatch.GetTimestamp();
        long? first = null, last = null;
        var streamed = 0;
        int? usagePrompt = null, usageCompletion = null;
        string? error = null;
        var finished = false;
        var reply = onReply is null ? null : new StringBuilder();
        RequestSample Sample(SampleOutcome outcome, string? message)
        {
            var end = Stopwatch.GetTimestamp();
            var fromServer = usagePrompt is not null && usageCompletion is not null;
            return new RequestSample
            {
                Target = _target.Name,
                Context = context,
                Concurrency = concurrency,
                Outcome = outcome,
                Error = message,
                Start = Stopwatch.GetElapsedTime(runStart, started),
                Ttft = first is { } f ? Stopwatch.GetElapsedTime(started, f) : null,
                Latency = Stopwatch.GetElapsedTime(started, end),
                DecodeTime = first is { } a && last is { } b ? Stopwatch.GetElapsedTime(a, b) : null,
                PromptTokens = usagePrompt ?? promptTokenEstimate,
                CompletionTokens = usageCompletion ?? streamed,
                UsageFromServer = fromServer,
                StreamedTokens = streamed,
            };
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_target.BaseUrl.AbsoluteUri.TrimEnd('/') + "/chat/completions"))
            {
                Content = new StringContent(Body(_target.Model, messages, maxTokens, temperature).ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (_target.ApiKey is { Length: > 0 } key) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            idle.CancelAfter(timeouts.Stall);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
                return Sample(SampleOutcome.Error, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{Excerpt(body)}");
            }
            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(linked.Token).ConfigureAwait(false) is { } line)
            {
                idle.CancelAfter(timeouts.Stall);
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]"))
                {
                    finished = true;
                    break;
                }
                JsonNode? chunk;
                try
                {
                    chunk = JsonNode.Parse(data.ToString());
                }
                catch (JsonException)
                {
                    error = $"the stream sent an event that is not JSON{Excerpt(data.ToString())}";
                    break;
                }
                if (chunk?["error"] is { } e)
                {
                    error = $"the server sent an error event: {(e is JsonObject o && o["message"] is { } m ? m.ToString() : e.ToJsonString())}";
                    break;
                }
                if (chunk?["usage"] is JsonObject usage)
                {
                    usagePrompt = Int(usage["prompt_tokens"]);
                    usageCompletion = Int(usage["completion_tokens"]);
                }
                var choice = chunk?["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;
                if (Text(choice?["finish_reason"]) is not null) finished = true;
                if (choice?["delta"] is JsonObject delta)
                {
                    var text = Text(delta["content"]) ?? "";
                    var reasoning = Text(delta["reasoning_content"]) ?? Text(delta["reasoning"]) ?? "";
                    if (text.Length + reasoning.Length > 0)
                    {
                        var now = Stopwatch.GetTimestamp();
                        first ??= now;
                        last = now;
                        streamed++;
                        reply?.Append(text);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Sample(SampleOutcome.Timeout, total.IsCancellationRequested
                ? $"the request ran past its {Seconds(timeouts.Total)} timeout"
                : $"no data for {Seconds(timeouts.Stall)} (the server stalled)");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return Sample(SampleOutcome.Error, first is null ? $"request failed: {ex.Message}" : $"the stream broke after {streamed} tokens: {ex.Message}");
        }
        if (error is not null) return Sample(SampleOutcome.Error, error);
        if (first is null) return Sample(SampleOutcome.Error, "the stream ended without a token");
        if (!finished) return Sample(SampleOutcome.Error, $"the stream ended after {streamed} tokens without finishing (no finish_reason, no [DONE])");
        if (reply is not null) onReply!(reply.ToString());
        return Sample(SampleOutcome.Ok, null);
    }

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s";

    private static string Excerpt(string body)
    {
        var text = body.ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "" : ": " + (text.Length > 200 ? text[..200] + "…" : text);
    }

    public void Dispose() => _http.Dispose();
}
