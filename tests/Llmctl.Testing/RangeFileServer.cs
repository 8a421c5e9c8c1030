using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Llmctl.Testing;

/// <summary>
/// A local HTTP server on 127.0.0.1 serving files with <c>Range</c> support, shaped like the Hugging Face hub:
/// <c>/org/repo/resolve/rev/&lt;file&gt;</c> answers 302 to <c>/cdn/&lt;file&gt;</c> carrying <c>X-Linked-Etag</c> (the
/// sha256 in quotes) and <c>X-Linked-Size</c> when <see cref="LinkedSha256"/> knows the file; <c>/cdn/&lt;file&gt;</c>
/// serves the bytes. Counts every body byte it sends, so tests can prove that no whole file was downloaded.
/// </summary>
public sealed class RangeFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, string> _files;
    private readonly Task _loop;
    private long _bytesServed;
    private int _wholeFileResponses;

    /// <param name="files">URL file name → path on disk.</param>
    public RangeFileServer(IReadOnlyDictionary<string, string> files)
    {
        _files = new Dictionary<string, string>(files, StringComparer.Ordinal);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>File name → sha256 the hub reports in X-Linked-Etag; a file not listed gets no such header.</summary>
    public Dictionary<string, string> LinkedSha256 { get; } = new(StringComparer.Ordinal);

    /// <summary>When false, range requests are answered 200 with the whole file (a server without range support).</summary>
    public bool SupportsRanges { get; set; } = true;

    public long BytesServed => Interlocked.Read(ref _bytesServed);
    public int WholeFileResponses => _wholeFileResponses;

    /// <summary>The hub-style URL of a file (redirects to the CDN path).</summary>
    public Uri ResolveUrl(string file) => new($"http://127.0.0.1:{Port}/org/repo/resolve/abc123/{Uri.EscapeDataString(file)}");

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
            _ = Task.Run(() => Serve(context));
        }
    }

    private void Serve(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath);
            var name = path[(path.LastIndexOf('/') + 1)..];
            if (!_files.TryGetValue(name, out var file))
            {
                response.StatusCode = 404;
                return;
            }
            var length = new FileInfo(file).Length;
            if (path.Contains("/resolve/", StringComparison.Ordinal))
            {
                response.StatusCode = 302;
                response.RedirectLocation = $"/cdn/{Uri.EscapeDataString(name)}";
                if (LinkedSha256.TryGetValue(name, out var sha))
                {
                    response.AddHeader("X-Linked-Etag", $"\"{sha}\"");
                    response.AddHeader("X-Linked-Size", length.ToString(CultureInfo.InvariantCulture));
                }
                return;
            }
            var head = context.Request.HttpMethod == "HEAD";
            var range = context.Request.Headers["Range"];
            long from = 0, to = length - 1;
            if (range is not null && SupportsRanges && range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                var parts = range["bytes=".Length..].Split('-');
                from = long.Parse(parts[0], CultureInfo.InvariantCulture);
                to = parts[1].Length > 0 ? Math.Min(long.Parse(parts[1], CultureInfo.InvariantCulture), length - 1) : length - 1;
                if (from >= length)
                {
                    response.StatusCode = 416;
                    response.AddHeader("Content-Range", $"bytes */{length}");
                    return;
                }
                response.StatusCode = 206;
                response.AddHeader("Content-Range", $"bytes {from}-{to}/{length}");
            }
            else
            {
                response.StatusCode = 200;
                if (!head) Interlocked.Increment(ref _wholeFileResponses);
            }
            response.AddHeader("Accept-Ranges", SupportsRanges ? "bytes" : "none");
            response.ContentLength64 = to - from + 1;
            if (head) return;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            stream.Position = from;
            var buffer = new byte[64 * 1024];
            var left = to - from + 1;
            while (left > 0)
            {
                var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n <= 0) break;
                response.OutputStream.Write(buffer, 0, n);
                Interlocked.Add(ref _bytesServed, n);
                left -= n;
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away (it read what it needed and closed the connection).
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
