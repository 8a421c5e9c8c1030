using Llmctl.Engine.Config;
using Llmctl.Stacks.Config;
using Llmctl.Testing;

namespace Llmctl.Stacks.Tests.Config;

/// <summary>
/// The stack config binds through generated shapes, not reflection (Native AOT trims the metadata). These compare each
/// shape with what reflection says of its record here, where the metadata is all there.
/// </summary>
public class ConfigShapeTests
{
    public static TheoryData<string> Records() => [.. ConfigShapes.MarkedIn(typeof(StackConfig).Assembly).Select(t => t.FullName!)];

    [Theory]
    [MemberData(nameof(Records))]
    public void Each_generated_shape_lists_exactly_its_records_bindable_properties(string record) =>
        ConfigShapes.MatchesReflection(typeof(StackConfig).Assembly.GetType(record, throwOnError: true)!);

    [Fact]
    public void Every_record_the_stack_config_reaches_is_marked_and_every_marked_record_is_reached()
    {
        var reached = ConfigShapes.Reachable(typeof(StackConfig)).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
        var marked = ConfigShapes.MarkedIn(typeof(StackConfig).Assembly);

        Assert.Equal(marked, reached);
        Assert.Contains(typeof(LlamaCppPresetConfig), reached);
        Assert.Equal(29, reached.Count);
    }

    [Fact]
    public void The_sections_are_the_stack_configs_keys_in_declaration_order()
    {
        Assert.Equal(
            ["cluster: ClusterConfig (required)", "gpuNodes: list of GpuNodeConfig", "lanes: LanesConfig", "tailnet: TailnetConfig?", "k3s: K3sConfig?",
             "gpu: GpuConfig?", "gateway: GatewayConfig?", "observability: ObservabilityConfig?", "certificates: CertificatesConfig?"],
            ConfigRecordShape.Of<StackConfig>().Members.Select(m => m.ToString()));
        Assert.Equal("providerKeys: map of secret", ConfigRecordShape.Of<GatewayConfig>().Find("providerKeys")!.ToString());
        Assert.Equal("runtime: enum LaneRuntime (LlamaCpp, Ollama, Vllm) (required)", ConfigRecordShape.Of<LaneConfig>().Find("runtime")!.ToString());
    }
}
