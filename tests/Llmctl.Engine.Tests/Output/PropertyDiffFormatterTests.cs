using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Output;

namespace Llmctl.Engine.Tests.Output;

public class PropertyDiffFormatterTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("with \"quotes\" and \\ backslash")]
    [InlineData("line\nbreak\ttab\u0001control")]
    [InlineData("<html> & 'apostrophes' + plus")]
    [InlineData("é ß 中文 🦙")]
    [InlineData("lone \ud800 surrogate")]
    public void A_string_value_is_quoted_exactly_as_the_json_serializer_writes_it_with_relaxed_escaping(string value)
    {
        var relaxed = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        Assert.Equal(JsonValue.Create(value).ToJsonString(relaxed), PropertyDiffFormatter.Format(JsonValue.Create(value)));
        Assert.Equal(JsonValue.Create(value).ToJsonString(relaxed), PropertyDiffFormatter.Format(JsonNode.Parse(JsonSerializer.Serialize(value))));
    }
}
