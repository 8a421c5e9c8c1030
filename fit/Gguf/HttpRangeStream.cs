using System.Net;
using System.Net.Http.Headers;

namespace Llmctl.Fit.Gguf;

/// <summary>
/// A read-only, seekable view of a remote file through HTTP range requests (<c>Range: bytes=a-b</c>), fetched in chunks
/// that start small and double, so reading a GGUF header downloads about the header and nothing of the weights. A server
/// that answers a range request with the whole file (200) is refused before its body is read.
/// </summary>
public sealed class HttpRangeStream : Stream
{
    private const int FirstChunk = 64 * 1024;
    private const int MaxChunk = 8 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly Uri _uri;
    private byte[] _chunk = [];
    private long _chunkStart;
    private int _nextChunkSize = FirstChunk;
    private long _position;

    private HttpRangeStream(HttpClient http, Uri uri, long length)
    {
        _http = http;
        _uri = uri;
        Length = length;
    }

    /// <summary>Bytes received in response bodies so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>How many range requests were made.</summary>
    public int Requests { get; private set; }

    public override long Length { get; }

    /// <summary>Opens <paramref name="uri"/>: one range request for its first chunk, which also tells the file's length.</summary>
    public static async Task<HttpRangeStream> OpenAsync(HttpClient http, Uri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(uri);
        var (body, total) = await FetchAsync(http, uri, 0, FirstChunk, cancellationToken).ConfigureAwait(false);
        var stream = new HttpRangeStream(http, uri, total)
        {
            _chunk = body, _chunkStart = 0, _nextChunkSize = FirstChunk * 2, BytesReceived = body.Length, Requests = 1,
        };
        return stream;
    }

    private static async Task<(byte[] Body, long Total)> FetchAsync(HttpClient http, Uri uri, long from, int count, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Range = new RangeHeaderValue(from, from + count - 1);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            throw new IOException($"{uri}: the server refused the range {from}–{from + count - 1} (416): the file is shorter than its GGUF header says");
        }
        if (response.StatusCode == HttpStatusCode.OK)
        {
            throw new IOException($"{uri}: the server does not support range requests (it answered 200 with the whole file); not downloading it — "
                + "download the file and run llmctl lock on it instead");
        }
        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            throw new IOException($"{uri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        var range = response.Content.Headers.ContentRange;
        if (range is not { From: { } start, Length: { } total } || start != from)
        {
            throw new IOException($"{uri}: the server's Content-Range '{range}' does not answer the range asked for ({from}–{from + count - 1})");
        }
        // Never read more than was asked for, whatever the server sends.
        var body = new byte[(int)Math.Min(count, Math.Max(total - from, 0))];
        await using var content = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var read = 0;
        while (read < body.Length)
        {
            var n = await content.ReadAsync(body.AsMemory(read), ct).ConfigureAwait(false);
            if (n == 0) break;
            read += n;
        }
        return (read == body.Length ? body : body[..read], total);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= Length || buffer.Length == 0) return 0;
        if (_position < _chunkStart || _position >= _chunkStart + _chunk.Length)
        {
            var size = (int)Math.Min(Math.Max(_nextChunkSize, buffer.Length), MaxChunk);
            var (body, _) = FetchAsync(_http, _uri, _position, size, CancellationToken.None).GetAwaiter().GetResult();
            if (body.Length == 0) throw new IOException($"{_uri}: the server sent no bytes for the range at {_position}");
            _chunk = body;
            _chunkStart = _position;
            _nextChunkSize = Math.Min(_nextChunkSize * 2, MaxChunk);
            BytesReceived += body.Length;
            Requests++;
        }
        var at = (int)(_position - _chunkStart);
        var n = Math.Min(buffer.Length, _chunk.Length - at);
        _chunk.AsSpan(at, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
