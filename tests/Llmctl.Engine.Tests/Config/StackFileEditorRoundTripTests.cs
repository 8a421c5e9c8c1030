using Llmctl.Engine.Config;
using Llmctl.Testing;

namespace Llmctl.Engine.Tests.Config;

/// <summary>
/// <c>config set/rm --path</c> on the repository's sample stacks: the comments are the stacks' documentation, so an edit
/// touches only the changed value and an edit followed by its revert gives back the file byte for byte.
/// </summary>
public sealed class StackFileEditorRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-roundtrip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Copy(string stack)
    {
        var path = Path.Combine(_dir, $"Pulumi.{stack}.yaml");
        File.Copy(RepoFiles.Path($"Pulumi.{stack}.yaml"), path);
        return path;
    }

    private static int CommentLines(string text) => text.Split('\n').Count(l => l.TrimStart().StartsWith('#'));

    [Theory]
    [InlineData("homelab", "lanes.items[0].ctxSize", "65536")]
    [InlineData("homelab", "lanes.items[1].ctxSize", "8192")]
    [InlineData("homelab", "gpuNodes[0].memory", "60Gi")]
    [InlineData("homelab", "gpuNodes[0].modelDisk", "/srv/models")]
    [InlineData("homelab", "lanes.items[0].resources.requests.cpu", "4")]
    [InlineData("homelab", "gpu.devicePlugin.enabled", "false")]
    [InlineData("fleet", "lanes.items[0].ctxSize", "16384")]
    [InlineData("fleet", "k3s.server.tailnetIp", "100.64.0.9")]
    [InlineData("fleet", "gateway.fleets[0].rpm", "30")]
    [InlineData("fleet", "certificates.email", "ops@example.org")]
    public void Setting_a_value_by_path_and_setting_it_back_gives_the_same_bytes(string stack, string path, string value)
    {
        var file = Copy(stack);
        var before = File.ReadAllBytes(file);
        var old = StackFileEditor.Get(file, "llm-platform", path, path: true)!;

        StackFileEditor.Set(file, "llm-platform", path, value, secure: false, path: true);
        var edited = File.ReadAllText(file);
        Assert.Equal(value, StackFileEditor.Get(file, "llm-platform", path, path: true));
        Assert.Equal(CommentLines(System.Text.Encoding.UTF8.GetString(before)), CommentLines(edited));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(before).Split('\n').Length, edited.Split('\n').Length);

        StackFileEditor.Set(file, "llm-platform", path, old, secure: false, path: true);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Theory]
    [InlineData("homelab", "lanes.items[0].gpuLayers", "99")]
    [InlineData("homelab", "gpuNodes[0].labels.zone", "rack-1")]
    [InlineData("fleet", "gateway.router.allowedFails", "3")]
    [InlineData("fleet", "tailnet.operators[1]", "group:ops")]
    public void Adding_a_value_by_path_and_removing_it_again_gives_the_same_bytes(string stack, string path, string value)
    {
        var file = Copy(stack);
        var before = File.ReadAllBytes(file);

        StackFileEditor.Set(file, "llm-platform", path, value, secure: false, path: true);
        Assert.Equal(value, StackFileEditor.Get(file, "llm-platform", path, path: true));
        Assert.True(StackFileEditor.Remove(file, "llm-platform", path, path: true));
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void Removing_a_value_by_path_keeps_every_comment_of_the_homelab_stack()
    {
        var file = Copy("homelab");
        var before = File.ReadAllText(file);
        Assert.True(StackFileEditor.Remove(file, "llm-platform", "lanes.items[0].cacheTypeV", path: true));
        Assert.True(StackFileEditor.Remove(file, "llm-platform", "gpuNodes[0].labels", path: true));
        var after = File.ReadAllText(file);
        Assert.Equal(CommentLines(before), CommentLines(after));
        Assert.Equal(before.Split('\n').Length - 3, after.Split('\n').Length);
        Assert.Null(StackFileEditor.Get(file, "llm-platform", "lanes.items[0].cacheTypeV", path: true));
        Assert.Equal("q8_0", StackFileEditor.Get(file, "llm-platform", "lanes.items[0].cacheTypeK", path: true));
    }

    [Fact]
    public void A_secure_value_set_again_by_path_changes_only_its_ciphertext()
    {
        var file = Copy("fleet");
        var before = File.ReadAllText(file);
        var old = before.Split('\n').Single(l => l.Contains("secure: v1:P3/", StringComparison.Ordinal)).Trim()["secure: ".Length..];
        StackFileEditor.Set(file, "llm-platform", "certificates.ionos.publicPrefix", "v1:AAAAAAAAAAAAAAAA:BBBB", secure: true, path: true);
        Assert.Equal(before.Replace(old, "v1:AAAAAAAAAAAAAAAA:BBBB", StringComparison.Ordinal), File.ReadAllText(file));
    }

    [Fact]
    public void A_quoted_value_keeps_its_quotes_and_CRLF_line_ends_survive()
    {
        var file = Path.Combine(_dir, "Pulumi.dev.yaml");
        const string text = "config:\r\n  # lanes\r\n  p:lanes:\r\n    items:\r\n      - name: 'a' # first\r\n        cpu: \"8\"\r\n";
        File.WriteAllText(file, text);
        StackFileEditor.Set(file, "p", "lanes.items[0].cpu", "16", secure: false, path: true);
        StackFileEditor.Set(file, "p", "lanes.items[0].name", "b", secure: false, path: true);
        Assert.Equal(text.Replace("\"8\"", "\"16\"", StringComparison.Ordinal).Replace("'a'", "'b'", StringComparison.Ordinal), File.ReadAllText(file));
    }
}
