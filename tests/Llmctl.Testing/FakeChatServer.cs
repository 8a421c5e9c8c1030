using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Llmctl.Testing;

/// <summary>
/// An OpenAI-compatible streaming server on 127.0.0.1 with controlled timing, for <c>llmctl bench</c>'s tests and its
/// overhead benchmark. <c>POST /v1/chat/completions</c> counts the prompt's tokens (one per four characters of message
/// content, its own rule), waits <see cref="PerRequestDelay"/> plus <see cref="PerPromptToken"/> per prompt token
/// (the prefill), then streams <see cref="CompletionTokens"/> tokens (fewer when <c>max_tokens</c> is lower) as
/// server-sent events, the first at the end of the prefill (counted from arrival) and each next at least
/// <see cref="PerToken"/> after the one before — so every delay is a lower bound a client's timing can be checked
/// against exactly — and a usage chunk when <see cref="SendUsage"/> and the client asks. Faults on demand:
/// an error status, an error event, a stall, a dropped connection.
/// </summary>
public sealed class FakeChatServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _requestCount;

    public FakeChatServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/v1");

    public TimeSpan PerRequestDelay { get; set; }
    public TimeSpan PerPromptToken { get; set; }
    public TimeSpan PerToken { get; set; }
    public int CompletionTokens { get; set; } = 16;
    /// <summary>Tokens each streamed chunk stands for in the usage count (servers may send several per event).</summary>
    public int TokensPerChunk { get; set; } = 1;
    public bool SendUsage { get; set; } = true;
    /// <summary>Set: answer every request with this status and a JSON error body.</summary>
    public HttpStatusCode? FailWith { get; set; }
    /// <summary>Set: after this many tokens send an error event and end the stream.</summary>
    public int? ErrorEventAfter { get; set; }
    /// <summary>Set: after this many tokens send nothing more until the client goes away.</summary>
    public int? StallAfter { get; set; }
    /// <summary>Set: after this many tokens close the connection without ending the stream.</summary>
    public int? DropAfter { get; set; }
    /// <summary>Extra prefill per request, by arrival number (0-based); for percentile tests.</summary>
    public Func<int, TimeSpan>? ExtraDelay { get; set; }
    /// <summary>Set: each request waits until this many are in flight together (or 20 s pass) before it answers.</summary>
    public int? HoldUntilInFlight { get; set; }
    /// <summary>Set: the bearer key every request must send (else 401).</summary>
    public string? RequireKey { get; set; }
    /// <summary>Answers GET requests: the JSON to send for a path and query, or null for 404 (a fake Prometheus behind the same proxy).</summary>
    public Func<string, string, string?>? Get { get; set; }
    /// <summary>Every GET path and query, in arrival order.</summary>
    public List<string> GetRequests { get; } = [];

    /// <summary>The path prefixes before <c>/v1</c> it answers (an API server's service proxy paths, for the proxy tests).</summary>
    public List<string> PathPrefixes { get; } = [""];

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public int RequestCount => Volatile.Read(ref _requestCount);
    /// <summary>Every request body, in arrival order.</summary>
    public List<JsonObject> Bodies { get; } = [];
    public List<string?> Authorizations { get; } = [];
    public List<string?> ApiKeyHeaders { get; } = [];
    public List<string> Paths { get; } = [];

    /// <summary>The server's own prompt-token count: one per four characters of content, at least one per message.</summary>
    public static int CountPromptTokens(JsonObject body) =>
        body["messages"]!.AsArray().Sum(m => Math.Max(1, (m!["content"]?.GetValue<string>().Length ?? 0) / 4));

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        var response = context.Response;
        var inFlight = Interlocked.Increment(ref _inFlight);
        int max;
        while ((max = Volatile.Read(ref _maxInFlight)) < inFlight && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
        {
        }
        try
        {
            var path = context.Request.Url!.AbsolutePath;
            if (context.Request.HttpMethod == "GET")
            {
                var query = Uri.UnescapeDataString(context.Request.Url.Query);
                lock (GetRequests) GetRequests.Add(path + query);
                var json = Get?.Invoke(path, query);
                if (json is null)
                {
                    await Json(response, HttpStatusCode.NotFound, $"no route GET {path}");
                    return;
                }
                response.ContentType = "application/json";
                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(json));
                response.Close();
                return;
            }
            string text;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) text = await reader.ReadToEndAsync();
            int number;
            JsonObject body;
            lock (Bodies)
            {
                body = JsonNode.Parse(text)!.AsObject();
                number = Bodies.Count;
                Bodies.Add(body);
                Authorizations.Add(context.Request.Headers["Authorization"]);
                ApiKeyHeaders.Add(context.Request.Headers["X-Api-Key"]);
                Paths.Add(path);
            }
            Interlocked.Increment(ref _requestCount);
            if (!PathPrefixes.Any(p => path == p + "/v1/chat/completions") || context.Request.HttpMethod != "POST")
            {
                await Json(response, HttpStatusCode.NotFound, $"no route {context.Request.HttpMethod} {path}");
                return;
            }
            if (RequireKey is { } key && context.Request.Headers["Authorization"] != "Bearer " + key)
            {
                await Json(response, HttpStatusCode.Unauthorized, "invalid api key");
                return;
            }
            if (FailWith is { } status)
            {
                await Json(response, status, "the model crashed");
                return;
            }
            if (HoldUntilInFlight is { } wanted)
            {
                var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 20;
                while (Volatile.Read(ref _maxInFlight) < wanted && Stopwatch.GetTimestamp() < until) await Task.Delay(5);
            }
            var prompt = CountPromptTokens(body);
            var tokens = Math.Min(CompletionTokens, body["max_tokens"]?.GetValue<int>() ?? CompletionTokens);
            var prefill = PerRequestDelay + PerPromptToken * prompt + (ExtraDelay?.Invoke(number) ?? TimeSpan.Zero);
            response.StatusCode = 200;
            response.ContentType = "text/event-stream";
            response.SendChunked = true;
            var output = response.OutputStream;
            var model = body["model"]?.GetValue<string>() ?? "fake";
            var sent = arrived;
            for (var i = 0; i < tokens; i++)
            {
                if (i == StallAfter)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                }
                if (i == DropAfter)
                {
                    response.Abort();
                    return;
                }
                if (i == ErrorEventAfter)
                {
                    await Event(output, new JsonObject { ["error"] = new JsonObject { ["message"] = "out of memory while decoding", ["code"] = 500 } });
                    response.Close();
                    return;
                }
                await (i == 0 ? DelayUntil(arrived, prefill) : DelayUntil(sent, PerToken));
                await Event(output, new JsonObject
                {
                    ["id"] = "chatcmpl-fake",
                    ["object"] = "chat.completion.chunk",
                    ["model"] = model,
                    ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = $"w{i} " }, ["finish_reason"] = null }),
                });
                sent = Stopwatch.GetTimestamp();
            }
            var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
            if (SendUsage && includeUsage)
            {
                await Event(output, new JsonObject
                {
                    ["id"] = "chatcmpl-fake",
                    ["object"] = "chat.completion.chunk",
                    ["choices"] = new JsonArray(),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = tokens * TokensPerChunk, ["total_tokens"] = prompt + tokens * TokensPerChunk },
                });
            }
            await output.WriteAsync("data: [DONE]\n\n"u8.ToArray());
            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away (a cancelled or timed-out request).
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Waits until <paramref name="offset"/> has passed since <paramref name="start"/> by the stopwatch (a timer may fire a tick early; this never does).</summary>
    private static async Task DelayUntil(long start, TimeSpan offset)
    {
        while (Stopwatch.GetElapsedTime(start) is var elapsed && elapsed < offset)
        {
            var wait = offset - elapsed;
            if (wait >= TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            else await Task.Yield();
        }
    }

    private static async Task Event(Stream output, JsonObject data)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes("data: " + data.ToJsonString() + "\n\n"));
        await output.FlushAsync();
    }

    private static async Task Json(HttpListenerResponse response, HttpStatusCode status, string message)
    {
        response.StatusCode = (int)status;
        response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["code"] = ((int)status).ToString(CultureInfo.InvariantCulture) } }.ToJsonString());
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
