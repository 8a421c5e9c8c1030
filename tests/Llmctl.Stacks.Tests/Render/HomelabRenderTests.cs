using Llmctl.Components.Kubernetes.Render;
using Llmctl.Engine.Model;
using Llmctl.Testing;

namespace Llmctl.Stacks.Tests.Render;

/// <summary>The homelab composition rendered for GitOps, compared with the checked-in snapshot.</summary>
public sealed class HomelabRenderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-render-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StackContext Homelab() =>
        Stacks.Tests.Homelab.HomelabStackTests.Compose();

    [Fact]
    public void The_homelab_stack_renders_to_the_checked_in_snapshot()
    {
        ManifestRenderer.Render(Homelab(), _dir);

        Snapshot.MatchDirectory(_dir, RepoFiles.Path("tests", "Llmctl.Stacks.Tests", "Snapshots", "homelab"));
    }

    [Fact]
    public void Rendering_twice_from_fresh_compositions_gives_byte_identical_trees()
    {
        var second = Path.Combine(_dir, "second");
        var first = Path.Combine(_dir, "first");

        ManifestRenderer.Render(Homelab(), first);
        ManifestRenderer.Render(Homelab(), second);

        var a = Snapshot.Files(first);
        var b = Snapshot.Files(second);
        Assert.Equal(a.Keys, b.Keys);
        Assert.All(a.Keys, f => Assert.Equal(a[f], b[f]));
    }

    [Fact]
    public void The_kustomization_lists_every_rendered_manifest_and_notes_the_skipped_node_patches()
    {
        var result = ManifestRenderer.Render(Homelab(), _dir);

        var kustomization = File.ReadAllText(Path.Combine(_dir, ManifestRenderer.KustomizationName));
        var yamlFiles = Snapshot.Files(_dir).Keys.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) && f != ManifestRenderer.KustomizationName).ToList();
        Assert.NotEmpty(yamlFiles);
        Assert.Equal(yamlFiles, result.Manifests);
        Assert.All(yamlFiles, f => Assert.Contains($"\n- {f}\n", kustomization));
        Assert.Contains("cluster/namespace-llm.yaml", yamlFiles);
        Assert.Contains("cluster/runtimeclass-nvidia.yaml", yamlFiles);
        Assert.Contains(result.Skipped, s => s.Contains("kubernetes:core/v1:NodePatch", StringComparison.Ordinal));
        Assert.Contains("NodePatch", kustomization);
    }
}
