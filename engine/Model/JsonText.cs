using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llmctl.Engine.Model;

/// <summary>
/// Searches a JSON tree's text instead of walking its nodes. A tree parsed from JSON (every Kubernetes object a program
/// builds, every input read back from state) is written straight from its text, where a walk would first build a node
/// for every value in it; on a large stack that walk is most of what a check costs.
/// </summary>
public static class JsonText
{
    /// <summary>
    /// A quick test that never misses: false means none of <paramref name="needles"/> occurs in the tree's JSON text
    /// (as <see cref="JsonNode.WriteTo"/> writes it); true means one does, or the tree could not be written. Use it to
    /// skip an exact walk, never in place of one: a needle in the text may sit in a key, or in a longer string. Give
    /// needles the writer never escapes (ASCII letters, digits, <c>-</c>, <c>_</c>, <c>=</c>, <c>"</c> as a
    /// string's start).
    /// </summary>
    public static bool MayContain(JsonNode node, params ReadOnlySpan<byte[]> needles)
    {
        ArgumentNullException.ThrowIfNull(node);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            node.WriteTo(writer);
            writer.Flush();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or JsonException)
        {
            return true; // too deep, or a value that cannot be written: the exact walk decides
        }
        var text = buffer.WrittenSpan;
        var found = false;
        foreach (var needle in needles)
        {
            if (text.IndexOf(needle) >= 0)
            {
                found = true;
                break;
            }
        }
        if (buffer.Capacity > 1024 * 1024) t_buffer = null; // a huge tree's buffer is not kept for the thread
        return found;
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;
}
