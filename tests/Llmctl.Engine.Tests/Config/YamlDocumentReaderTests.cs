using Llmctl.Engine.Config;

namespace Llmctl.Engine.Tests.Config;

public class YamlDocumentReaderTests
{
    [Fact]
    public void Duplicate_keys_are_reported_at_the_second_key_and_the_first_value_is_kept()
    {
        var bag = new DiagnosticBag("f.yaml");
        var root = YamlDocumentReader.Read("a:\n  items:\n    - x: 1\n      x: 2\n  b: 1\n  b:\n    deep: [1]\n", bag);

        Assert.Equal(
        [
            "f.yaml:4:7: a.items[0].x: duplicate key 'x' — remove one of the two entries; the first one, at line 3, is used",
            "f.yaml:6:3: a.b: duplicate key 'b' — remove one of the two entries; the first one, at line 5, is used",
        ], bag.Items.Select(d => d.ToString()));
        Assert.Equal("{\"a\":{\"items\":[{\"x\":1}],\"b\":1}}", YamlJson.ToJsonNode(root!)!.ToJsonString());
    }

    [Fact]
    public void Marks_are_one_based()
    {
        var bag = new DiagnosticBag("f.yaml");
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)YamlDocumentReader.Read("a: 1\nbb:  2\n", bag)!;
        var value = root.Children.Values.Last();
        Assert.Equal((2L, 6L), ((long)value.Start.Line, (long)value.Start.Column));
    }

    [Fact]
    public void An_empty_document_is_no_node_and_no_error()
    {
        var bag = new DiagnosticBag("f.yaml");
        Assert.Null(YamlDocumentReader.Read("# only a comment\n", bag));
        Assert.False(bag.HasErrors);
    }
}
