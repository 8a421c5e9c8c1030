using System.Reflection;
using Llmctl.Stacks.Config;
using Llmctl.Testing;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Stacks.Tests;

/// <summary>Keeps Pulumi.homelab.yaml in step with the typed config records until the binder owns that check.</summary>
public sealed class StackFileTests
{
    private static YamlMappingNode Config()
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(RepoFiles.Path("Pulumi.homelab.yaml"));
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["config"];
    }

    private static ISet<string> KeysOf<T>() => typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]).ToHashSet();

    [Fact]
    public void Every_lane_key_in_the_homelab_stack_file_is_a_LaneConfig_property()
    {
        var lanes = (YamlMappingNode)Config()["llm-platform:lanes"];
        var items = (YamlSequenceNode)lanes["items"];

        Assert.Equal(6, items.Children.Count);
        foreach (var item in items.Children.Cast<YamlMappingNode>())
        {
            Assert.Subset(KeysOf<LaneConfig>(), item.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet());
        }
    }

    [Fact]
    public void The_homelab_stack_file_declares_one_active_lane_and_the_gpu_worker()
    {
        var config = Config();
        var items = ((YamlSequenceNode)((YamlMappingNode)config["llm-platform:lanes"])["items"]).Children.Cast<YamlMappingNode>();
        var node = (YamlMappingNode)((YamlSequenceNode)config["llm-platform:gpuNodes"]).Children.Single();

        Assert.Equal(["qwen36-35b-gguf-fast"], items.Where(i => ((YamlScalarNode)i["active"]).Value == "true").Select(i => ((YamlScalarNode)i["name"]).Value));
        Assert.Equal("rtx-pro-4000-blackwell-sff", ((YamlScalarNode)node["hardware"]).Value);
        Assert.Equal("homelab", ((YamlScalarNode)config["kubernetes:context"]).Value);
    }

    [Fact]
    public void Every_image_in_the_homelab_stack_file_is_pinned_by_a_real_digest_not_the_sample_placeholder()
    {
        var imageLines = File.ReadAllLines(RepoFiles.Path("Pulumi.homelab.yaml")).Where(l => l.TrimStart().StartsWith("image:", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(imageLines);
        Assert.All(imageLines, l =>
        {
            Assert.Matches(@"@sha256:[0-9a-f]{64}\b", l);
            Assert.DoesNotContain("sha256:" + new string('0', 64), l);
        });
    }
}
