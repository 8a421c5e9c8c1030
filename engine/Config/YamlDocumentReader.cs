using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Config;

/// <summary>
/// Reads one YAML document into YamlDotNet's representation model, keeping marks for every node. Syntax errors and
/// duplicate mapping keys become diagnostics instead of exceptions: the event stream is buffered first, duplicate
/// keys are reported (the first occurrence wins, as the later ones are dropped) and the cleaned stream is loaded.
/// </summary>
public static partial class YamlDocumentReader
{
    /// <summary>The document's root node, or null when the text is empty or cannot be parsed.</summary>
    public static YamlNode? Read(string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(diagnostics);
        List<ParsingEvent> events;
        try
        {
            events = Buffer(text, diagnostics);
        }
        catch (YamlException e)
        {
            // YamlDotNet reports a tab in the indentation at the start of the enclosing block; point at the tab.
            if (FirstTabIndent(text) is { } tab && tab.Line >= e.Start.Line)
            {
                diagnostics.Add(tab, "", "YAML syntax error: a tab is used for indentation",
                    "indent with spaces; YAML does not allow tabs for indentation");
            }
            else
            {
                diagnostics.Add(e.Start, "", "YAML syntax error: " + StripMarks(e.Message),
                    "check the indentation and the quoting on this line and the one before");
            }
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new EventListParser(events));
        }
        catch (YamlException e)
        {
            diagnostics.Add(e.Start, "", "YAML error: " + StripMarks(e.Message));
            return null;
        }
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1)
        {
            diagnostics.Add(stream.Documents[1].RootNode, "", "the file holds more than one YAML document",
                "keep a single document; remove the extra '---' separator");
        }
        return stream.Documents[0].RootNode;
    }

    private static List<ParsingEvent> Buffer(string text, DiagnosticBag diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        var events = new List<ParsingEvent>();
        // One frame per open collection: for mappings, the keys seen and whether the next node is a key.
        var frames = new Stack<Frame>();
        var skipDepth = 0; // > 0 while dropping the value of a duplicate key

        while (parser.MoveNext())
        {
            var ev = parser.Current!;
            if (skipDepth > 0)
            {
                if (ev is MappingStart or SequenceStart) skipDepth++;
                else if (ev is MappingEnd or SequenceEnd) skipDepth--;
                if (skipDepth == 1 && ev is not (MappingStart or SequenceStart)) skipDepth = 0;
                continue;
            }

            if (frames.TryPeek(out var top) && top.IsMapping && top.ExpectKey && ev is Scalar key)
            {
                top.LastKey = key.Value;
                if (!top.Keys.Add(key.Value))
                {
                    diagnostics.Add(key.Start, Join(top.Path, key.Value), $"duplicate key '{key.Value}'",
                        $"remove one of the two entries; the first one, at line {top.FirstLine[key.Value]}, is used");
                    top.ExpectKey = true;
                    skipDepth = 1; // drop the next node (the duplicate's value)
                    continue;
                }
                top.FirstLine[key.Value] = (int)key.Start.Line;
            }

            events.Add(ev);
            switch (ev)
            {
                case MappingStart:
                    frames.Push(new Frame(true, ChildPath(frames)));
                    break;
                case SequenceStart:
                    frames.Push(new Frame(false, ChildPath(frames)));
                    break;
                case MappingEnd or SequenceEnd:
                    frames.Pop();
                    break;
                case Scalar or AnchorAlias:
                    AfterNode(frames);
                    break;
            }
        }
        return events;
    }

    // A node has been opened or read in the current collection: in a mapping, keys and values alternate; in a
    // sequence, the index moves on.
    private static void AfterNode(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var f)) return;
        if (f.IsMapping) f.ExpectKey = !f.ExpectKey;
        else f.Index++;
    }

    // The key path of a collection that opens now, then the step in its parent.
    private static string ChildPath(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var parent)) return "";
        var path = parent.IsMapping ? Join(parent.Path, parent.LastKey ?? "?") : $"{parent.Path}[{parent.Index}]";
        AfterNode(frames);
        return path;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private sealed class Frame(bool isMapping, string path)
    {
        public bool IsMapping { get; } = isMapping;
        public string Path { get; } = path;
        public string? LastKey { get; set; }
        public int Index { get; set; }
        public bool ExpectKey { get; set; } = true;
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> FirstLine { get; } = new(StringComparer.Ordinal);
    }

    private sealed class EventListParser(List<ParsingEvent> events) : IParser
    {
        private int _index = -1;
        public ParsingEvent? Current => _index >= 0 && _index < events.Count ? events[_index] : null;
        public bool MoveNext() => ++_index < events.Count;
    }

    private static string StripMarks(string message) => MarksPrefix().Replace(message, "").Trim();

    private static Mark? FirstTabIndent(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent) return new Mark(0, i + 1, tab + 1);
        }
        return null;
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex MarksPrefix();
}
