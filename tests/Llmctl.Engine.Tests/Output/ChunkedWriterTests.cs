using System.Text;
using Llmctl.Engine.Output;

namespace Llmctl.Engine.Tests.Output;

public class ChunkedWriterTests
{
    private static void WriteAll(TextWriter w)
    {
        for (var i = 0; i < 20_000; i++)
        {
            w.Write("row ");
            w.Write(i);
            w.Write(' ');
            w.Write(new StringBuilder("built ").Append(i % 7));
            w.Write("span é🦙".AsSpan());
            w.Write(['a', 'b', 'c'], 1, 2);
            w.WriteLine(i % 3 == 0 ? "" : $"line {i}");
            if (i % 5 == 0) w.WriteLine(i);
            if (i % 11 == 0) w.WriteLine();
        }
    }

    [Fact]
    public void Everything_written_reaches_the_inner_writer_in_order_with_its_new_line_once_flushed()
    {
        var direct = new StringWriter { NewLine = "\r\n" };
        WriteAll(direct);
        var inner = new StringWriter { NewLine = "\r\n" };
        using (var chunked = new ChunkedWriter(inner))
        {
            WriteAll(chunked);
            // Whole chunks are handed on as they fill; the rest waits for the flush.
            Assert.InRange(inner.GetStringBuilder().Length, 1, direct.GetStringBuilder().Length - 1);
        }

        Assert.Equal(direct.ToString(), inner.ToString());
    }
}
