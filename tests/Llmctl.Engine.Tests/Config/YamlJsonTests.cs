using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Engine.Tests.Config;

public class YamlJsonTests
{
    private static YamlNode Read(string yaml) => YamlDocumentReader.Read(yaml, new DiagnosticBag("t.yaml"))!;

    [Theory]
    [InlineData("v: true", "true")]
    [InlineData("v: False", "false")]
    [InlineData("v: 42", "42")]
    [InlineData("v: -7", "-7")]
    [InlineData("v: 0x1F", "31")]
    [InlineData("v: 0o17", "15")]
    [InlineData("v: 1.5", "1.5")]
    [InlineData("v: 1e3", "1000")]
    [InlineData("v: ~", "null")]
    [InlineData("v: null", "null")]
    [InlineData("v:", "null")]
    [InlineData("v: \"true\"", "\"true\"")]
    [InlineData("v: '42'", "\"42\"")]
    [InlineData("v: yes", "\"yes\"")]
    [InlineData("v: 24Gi", "\"24Gi\"")]
    [InlineData("v: !!str 42", "\"42\"")]
    public void Scalars_follow_the_YAML_1_2_core_schema(string yaml, string json)
    {
        var node = YamlJson.ToJsonNode(Read(yaml));
        Assert.Equal(json, node!["v"]?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Structures_convert_and_secure_values_become_decrypted_secrets()
    {
        var node = Read("a: [1, {b: x}]\nkey:\n  secure: v1:abc\n");
        var json = YamlJson.ToJsonNode(node, c => c == "v1:abc" ? "plain" : throw new InvalidOperationException());

        Assert.Equal("[1,{\"b\":\"x\"}]", json!["a"]!.ToJsonString());
        Assert.True(PropertyValues.IsSecret(json["key"]));
        Assert.Equal("plain", PropertyValues.Unwrap(json["key"])!.GetValue<string>());
    }

    [Fact]
    public void Without_a_decrypter_a_secure_value_stays_ciphertext()
    {
        var json = YamlJson.ToJsonNode(Read("key:\n  secure: v1:abc\n"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"key\":{\"secure\":\"v1:abc\"}}"), json));
    }
}
