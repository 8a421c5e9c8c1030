using System.Text;

namespace Llmctl.Engine.Output;

/// <summary>
/// Collects what a renderer writes and hands it to the real writer in large chunks. The console's writer flushes on
/// every call, so a 10,000-row preview written line by line is tens of thousands of system calls; through this it is
/// a handful. The text is exactly what was written, in order; <see cref="Flush"/> (or disposing) passes on the rest.
/// </summary>
internal sealed class ChunkedWriter : TextWriter
{
    private const int ChunkChars = 32 * 1024;
    private readonly TextWriter _inner;
    private readonly StringBuilder _pending = new(ChunkChars + 1024);
    private readonly string _newLine;

    public ChunkedWriter(TextWriter inner)
    {
        _inner = inner;
        // A line ends as it would have on the inner writer, through every WriteLine overload.
        _newLine = inner.NewLine;
        CoreNewLine = _newLine.ToCharArray();
    }

    public override Encoding Encoding => _inner.Encoding;

    public override IFormatProvider FormatProvider => _inner.FormatProvider;

    public override void Write(char value)
    {
        _pending.Append(value);
        if (_pending.Length >= ChunkChars) Flush();
    }

    public override void Write(string? value)
    {
        _pending.Append(value);
        if (_pending.Length >= ChunkChars) Flush();
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        _pending.Append(buffer);
        if (_pending.Length >= ChunkChars) Flush();
    }

    public override void Write(StringBuilder? value)
    {
        _pending.Append(value);
        if (_pending.Length >= ChunkChars) Flush();
    }

    public override void WriteLine() => Write(_newLine);

    public override void WriteLine(string? value)
    {
        _pending.Append(value).Append(_newLine);
        if (_pending.Length >= ChunkChars) Flush();
    }

    public override void Flush()
    {
        foreach (var chunk in _pending.GetChunks()) _inner.Write(chunk.Span);
        _pending.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }
}
