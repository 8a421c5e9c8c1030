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
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _requestCount;

    public FakeChatServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
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

    // HTTP/1.1 by hand over a socket with Nagle off: each event leaves when it is written (HttpListener's socket
    // waits for the client's delayed ACK between small writes, which would add tens of milliseconds to the timings).
    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }
            client.NoDelay = true;
            _ = Task.Run(() => ServeConnectionAsync(client));
        }
    }

    private async Task ServeConnectionAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new List<byte>();
            try
            {
                while (!_stop.IsCancellationRequested && await Exchange.ReadAsync(stream, buffer, _stop.Token) is { } exchange)
                {
                    await HandleAsync(exchange);
                    if (exchange.Closed) return;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The client went away (a cancelled or timed-out request), or the server stopped.
            }
        }
    }

    private async Task HandleAsync(Exchange exchange)
    {
        var arrived = Stopwatch.GetTimestamp();
        var inFlight = Interlocked.Increment(ref _inFlight);
        int max;
        while ((max = Volatile.Read(ref _maxInFlight)) < inFlight && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
        {
        }
        try
        {
            var path = exchange.Path;
            if (exchange.Method == "GET")
            {
                var query = Uri.UnescapeDataString(exchange.Query);
                lock (GetRequests) GetRequests.Add(path + query);
                var json = Get?.Invoke(path, query);
                await (json is null ? Error(exchange, HttpStatusCode.NotFound, $"no route GET {path}") : exchange.RespondAsync(HttpStatusCode.OK, "application/json", json));
                return;
            }
            int number;
            JsonObject body;
            lock (Bodies)
            {
                body = JsonNode.Parse(exchange.Body)!.AsObject();
                number = Bodies.Count;
                Bodies.Add(body);
                Authorizations.Add(exchange.Header("Authorization"));
                ApiKeyHeaders.Add(exchange.Header("X-Api-Key"));
                Paths.Add(path);
            }
            Interlocked.Increment(ref _requestCount);
            if (!PathPrefixes.Any(p => path == p + "/v1/chat/completions") || exchange.Method != "POST")
            {
                await Error(exchange, HttpStatusCode.NotFound, $"no route {exchange.Method} {path}");
                return;
            }
            if (RequireKey is { } key && exchange.Header("Authorization") != "Bearer " + key)
            {
                await Error(exchange, HttpStatusCode.Unauthorized, "invalid api key");
                return;
            }
            if (FailWith is { } status)
            {
                await Error(exchange, status, "the model crashed");
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
            await exchange.StartStreamAsync("text/event-stream");
            var model = body["model"]?.GetValue<string>() ?? "fake";
            var sent = arrived;
            for (var i = 0; i < tokens; i++)
            {
                if (i == StallAfter)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    exchange.Abort();
                    return;
                }
                if (i == DropAfter)
                {
                    exchange.Abort();
                    return;
                }
                if (i == ErrorEventAfter)
                {
                    await Event(exchange, new JsonObject { ["error"] = new JsonObject { ["message"] = "out of memory while decoding", ["code"] = 500 } });
                    await exchange.EndStreamAsync();
                    return;
                }
                await (i == 0 ? DelayUntil(arrived, prefill) : DelayUntil(sent, PerToken));
                await Event(exchange, new JsonObject
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
                await Event(exchange, new JsonObject
                {
                    ["id"] = "chatcmpl-fake",
                    ["object"] = "chat.completion.chunk",
                    ["choices"] = new JsonArray(),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = tokens * TokensPerChunk, ["total_tokens"] = prompt + tokens * TokensPerChunk },
                });
            }
            await exchange.ChunkAsync("data: [DONE]\n\n"u8.ToArray());
            await exchange.EndStreamAsync();
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

    private static Task Event(Exchange exchange, JsonObject data) => exchange.ChunkAsync(Encoding.UTF8.GetBytes("data: " + data.ToJsonString() + "\n\n"));

    private static Task Error(Exchange exchange, HttpStatusCode status, string message) =>
        exchange.RespondAsync(status, "application/json",
            new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["code"] = ((int)status).ToString(CultureInfo.InvariantCulture) } }.ToJsonString());

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _listener.Stop();
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

/// <summary>One HTTP/1.1 request on a kept-alive connection, and the response to it (whole, or chunked as it streams).</summary>
internal sealed class Exchange(Stream stream, string method, string target, Dictionary<string, string> headers, string body, bool close)
{
    public string Method { get; } = method;
    public string Path { get; } = target.Split('?')[0];
    public string Query { get; } = target.Contains('?', StringComparison.Ordinal) ? target[target.IndexOf('?', StringComparison.Ordinal)..] : "";
    public string Body { get; } = body;
    /// <summary>The connection is finished (aborted, or the client asked to close it).</summary>
    public bool Closed { get; private set; } = close;

    public string? Header(string name) => headers.GetValueOrDefault(name);

    /// <summary>The next request on the connection, or null when the client closed it. <paramref name="buffer"/> keeps bytes read past it.</summary>
    public static async Task<Exchange?> ReadAsync(Stream stream, List<byte> buffer, CancellationToken cancellationToken)
    {
        var chunk = new byte[16384];
        int end;
        while ((end = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            var n = await stream.ReadAsync(chunk, cancellationToken);
            if (n == 0) return null;
            buffer.AddRange(chunk.AsSpan(0, n));
        }
        var head = Encoding.ASCII.GetString(buffer.GetRange(0, end).ToArray()).Split("\r\n");
        buffer.RemoveRange(0, end + 4);
        var request = head[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l, CultureInfo.InvariantCulture) : 0;
        while (buffer.Count < length)
        {
            var n = await stream.ReadAsync(chunk, cancellationToken);
            if (n == 0) return null;
            buffer.AddRange(chunk.AsSpan(0, n));
        }
        var body = Encoding.UTF8.GetString(buffer.GetRange(0, length).ToArray());
        buffer.RemoveRange(0, length);
        var close = headers.TryGetValue("Connection", out var c) && c.Equals("close", StringComparison.OrdinalIgnoreCase);
        return new Exchange(stream, request[0], request.Length > 1 ? request[1] : "/", headers, body, close);
    }

    public async Task RespondAsync(HttpStatusCode status, string contentType, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await WriteAsync($"HTTP/1.1 {(int)status} {Reason(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n\r\n");
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    public Task StartStreamAsync(string contentType) =>
        WriteAsync($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n");

    public async Task ChunkAsync(byte[] data)
    {
        var frame = new byte[data.Length + 16];
        var head = Encoding.ASCII.GetBytes(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
        head.CopyTo(frame, 0);
        data.CopyTo(frame, head.Length);
        "\r\n"u8.CopyTo(frame.AsSpan(head.Length + data.Length));
        await stream.WriteAsync(frame.AsMemory(0, head.Length + data.Length + 2));
        await stream.FlushAsync();
    }

    public Task EndStreamAsync() => WriteAsync("0\r\n\r\n");

    /// <summary>Drops the connection mid-response (the client sees the stream break).</summary>
    public void Abort()
    {
        Closed = true;
        stream.Dispose();
    }

    private async Task WriteAsync(string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await stream.FlushAsync();
    }

    private static string Reason(HttpStatusCode status) => status switch
    {
        HttpStatusCode.OK => "OK",
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.InternalServerError => "Internal Server Error",
        HttpStatusCode.ServiceUnavailable => "Service Unavailable",
        _ => status.ToString(),
    };

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i + pattern.Length <= buffer.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++) match = buffer[i + j] == pattern[j];
            if (match) return i;
        }
        return -1;
    }
}
