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
            diagnostics.Add(e.Start, "", "YAML syntax error: " + StripMarks(e.Message), SyntaxFix(text, e.Start));
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
                if (!top.Keys.Add(key.Value))
                {
                    diagnostics.Add(key.Start, key.Value, $"duplicate key '{key.Value}'",
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
                    AfterNode(frames);
                    frames.Push(new Frame(true));
                    break;
                case SequenceStart:
                    AfterNode(frames);
                    frames.Push(new Frame(false));
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

    // A node has been opened or read in the current collection: in a mapping, keys and values alternate.
    private static void AfterNode(Stack<Frame> frames)
    {
        if (frames.TryPeek(out var f) && f.IsMapping) f.ExpectKey = !f.ExpectKey;
    }

    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;
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

    private static string? SyntaxFix(string text, Mark at)
    {
        var lines = text.Split('\n');
        var lineIndex = (int)at.Line - 1;
        for (var i = Math.Max(0, lineIndex - 1); i <= lineIndex && i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            if (line[..indent].Contains('\t'))
                return $"line {i + 1} is indented with a tab; YAML allows only spaces for indentation";
        }
        return "check the indentation and the quoting on this line and the one before";
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex MarksPrefix();
}
