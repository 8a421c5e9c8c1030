using System.Text;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Output;

/// <summary>Plain ANSI colour, applied only when the caller asks for colour (a TTY and no <c>NO_COLOR</c>).</summary>
internal static class Ansi
{
    public const string Reset = "\u001b[0m";
    public const string Bold = "\u001b[1m";
    public const string Dim = "\u001b[2m";
    public const string Red = "\u001b[31m";
    public const string Green = "\u001b[32m";
    public const string Yellow = "\u001b[33m";
    public const string Magenta = "\u001b[35m";
    public const string Cyan = "\u001b[36m";
    public const string BrightRed = "\u001b[91m";
    public const string BrightGreen = "\u001b[92m";
    /// <summary>Moves to the start of the line and clears it (for a redrawn status line).</summary>
    public const string ClearLine = "\r\u001b[2K";

    /// <summary>Pulumi's colours: green create, yellow update, red delete, magenta replace, cyan read.</summary>
    public static string? Of(StepOp op) => op switch
    {
        StepOp.Create => Green,
        StepOp.Update or StepOp.Refresh => Yellow,
        StepOp.Delete => Red,
        StepOp.Replace => Magenta,
        StepOp.CreateReplacement => BrightGreen,
        StepOp.DeleteReplaced => BrightRed,
        StepOp.Read => Cyan,
        _ => null,
    };

    public static void Write(TextWriter writer, string text, string? color, bool enabled)
    {
        if (enabled && color is not null && text.Length > 0)
        {
            writer.Write(color);
            writer.Write(text);
            writer.Write(Reset);
        }
        else
        {
            writer.Write(text);
        }
    }

    public static string Paint(string text, string? color, bool enabled) =>
        enabled && color is not null && text.Length > 0 ? color + text + Reset : text;

    /// <summary><see cref="Paint"/> appended to <paramref name="builder"/>, without copying the text out first.</summary>
    public static StringBuilder AppendPainted(StringBuilder builder, ReadOnlySpan<char> text, string? color, bool enabled)
    {
        var paint = enabled && color is not null && text.Length > 0;
        if (paint) builder.Append(color);
        builder.Append(text);
        if (paint) builder.Append(Reset);
        return builder;
    }
}
