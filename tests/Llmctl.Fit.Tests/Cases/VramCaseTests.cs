using System.Globalization;
using Llmctl.Fit.Estimate;
using Llmctl.Testing;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Fit.Tests.Cases;

/// <summary>
/// The accuracy bar of issue 11 on every case of ../shared/vram-cases.yaml: the compared figure within 5 % of the
/// measurement and never under it by more than 3 %; KV, SWA and recurrent-state components equal to the MiB where the
/// case states them. docs/fit.md records the same rows, checked here so it cannot drift.
/// </summary>
public sealed class VramCaseTests
{
    internal sealed record Case(string Id, IReadOnlyDictionary<string, double> Measured, IReadOnlyDictionary<string, double> Derived);

    internal static IReadOnlyList<Case> LoadCases()
    {
        var path = SharedFiles.RequirePath("vram-cases.yaml");
        var root = (YamlMappingNode)Tolerant(File.ReadAllLines(path)).Documents[0].RootNode;
        var cases = new List<Case>();
        foreach (var node in ((YamlSequenceNode)root.Children[new YamlScalarNode("cases")]).Children.Cast<YamlMappingNode>())
        {
            var measured = new Dictionary<string, double>(StringComparer.Ordinal);
            var derived = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (key, value) in node.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                if (name == "derived_by_rule") Numbers((YamlMappingNode)value, "", derived);
                else if (name.StartsWith("measured", StringComparison.Ordinal) && value is YamlMappingNode map)
                {
                    if (name.Contains("partial_vs_full", StringComparison.Ordinal))
                    {
                        foreach (var (model, pair) in map.Children)
                        {
                            var list = (YamlSequenceNode)pair;
                            measured[$"{((YamlScalarNode)model).Value}.partial"] = Number(list.Children[0]);
                            measured[$"{((YamlScalarNode)model).Value}.full"] = Number(list.Children[1]);
                        }
                    }
                    else Numbers(map, "", measured);
                }
            }
            cases.Add(new Case(((YamlScalarNode)node.Children[new YamlScalarNode("id")]).Value!, measured, derived));
        }
        return cases;
    }

    /// <summary>
    /// vram-cases.yaml line 9 is not valid YAML (an unquoted "(hybrid: 10 attention layers of 40, ...)" inside a flow
    /// mapping; PyYAML refuses it too). The tests need only ids and measurements, so a line that does not parse has its
    /// value replaced by an empty map and the file is read again.
    /// </summary>
    private static YamlStream Tolerant(string[] lines)
    {
        for (var attempt = 0; ; attempt++)
        {
            var yaml = new YamlStream();
            try
            {
                yaml.Load(new StringReader(string.Join("\n", lines)));
                return yaml;
            }
            catch (YamlDotNet.Core.YamlException ex) when (attempt < 10 && ex.Start.Line >= 1 && ex.Start.Line <= lines.Length)
            {
                var line = lines[ex.Start.Line - 1];
                var colon = line.IndexOf(": ", StringComparison.Ordinal);
                if (colon < 0 || line.TrimStart().StartsWith("measured", StringComparison.Ordinal) || line.TrimStart().StartsWith("derived", StringComparison.Ordinal)) throw;
                lines[ex.Start.Line - 1] = line[..(colon + 2)] + "{}";
            }
        }
    }

    private static void Numbers(YamlMappingNode map, string prefix, Dictionary<string, double> into)
    {
        foreach (var (key, value) in map.Children)
        {
            if (value is YamlScalarNode scalar && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                into[prefix + ((YamlScalarNode)key).Value] = number;
            }
        }
    }

    private static double Number(YamlNode node) => double.Parse(((YamlScalarNode)node).Value!, CultureInfo.InvariantCulture);

    internal static Case Find(string id) => LoadCases().FirstOrDefault(c => c.Id == id)
        ?? throw new Xunit.Sdk.XunitException($"vram-cases.yaml no longer has case '{id}'");

    [Fact]
    public void Every_case_in_the_file_has_settings_and_facts()
    {
        var cases = LoadCases();
        Assert.NotEmpty(cases);
        foreach (var c in cases) Assert.NotEmpty(VramCases.Rows(c.Id, c.Measured).ToList());
    }

    [Theory]
    [InlineData("qwen36-35b-a3b-q4km-ctx49152-rtxpro4000")]
    [InlineData("qwen25-7b-q4km-ollama-m4")]
    [InlineData("qwen3-30b-a3b-f16-fit-rtx4090")]
    [InlineData("llama31-8b-q4km-ollama-cuda")]
    [InlineData("gemma4-12b-q4km-swa-kv")]
    [InlineData("small-moe-compute-buffers-mi300x")]
    public void Total_is_within_the_bar(string id)
    {
        var c = Find(id);
        foreach (var row in VramCases.Rows(id, c.Measured))
        {
            Assert.True(row.MeetsBar, $"{row.CaseId} / {row.Figure}: estimate {row.EstimateMiB:0.0} MiB vs measured {row.MeasuredMiB:0.0} MiB ({row.ErrorPercent:+0.0;-0.0} %)");
        }
    }

    [Fact]
    public void Qwen36_components_equal_the_stated_MiB()
    {
        var c = Find("qwen36-35b-a3b-q4km-ctx49152-rtxpro4000");
        var e = VramCases.Rows(c.Id, c.Measured).Single().Estimate;
        Assert.Equal(c.Derived["kv_mib"], Math.Round(e.KvMiB));
        Assert.Equal(c.Derived["recurrent_state_mib_per_seq"], Math.Round(e.RecurrentMiB, 1));
        Assert.Equal(49152 * c.Derived["kv_bytes_per_token"] / (1024 * 1024), e.KvMiB, 6);
    }

    [Fact]
    public void Ollama_KV_grows_with_num_parallel_as_stated()
    {
        var c = Find("qwen25-7b-q4km-ollama-m4");
        var rows = VramCases.Rows(c.Id, c.Measured).ToList();
        Assert.Equal(c.Derived["kv_mib_per_4096_cells"], rows[0].Estimate.KvMiB);
        Assert.Equal(2 * c.Derived["kv_mib_per_4096_cells"], rows[1].Estimate.KvMiB);
        Assert.Equal(4 * c.Derived["kv_mib_per_4096_cells"], rows[2].Estimate.KvMiB);
    }

    [Fact]
    public void Qwen3_30B_context_equals_the_measured_MiB()
    {
        var c = Find("qwen3-30b-a3b-f16-fit-rtx4090");
        var e = VramCases.Rows(c.Id, c.Measured).Single().Estimate;
        Assert.Equal(c.Measured["cuda0_context_mib"], e.KvMiB);
        Assert.InRange(e.WeightsGpuMiB - c.Measured["cuda0_model_mib"], -2, 2); // 14 blocks' experts + 48 blocks' dense tensors, output on the host
    }

    [Fact]
    public void Llama31_KV_equals_the_measured_MiB_and_weights_follow_placement()
    {
        var c = Find("llama31-8b-q4km-ollama-cuda");
        var e = VramCases.Rows(c.Id, c.Measured).Single().Estimate;
        Assert.Equal(c.Measured["kv_mib"], e.KvMiB);
        Assert.Equal(c.Measured["cpu_model_mib"], Math.Round(e.WeightsHostMiB, 2)); // token_embd Q4_K on the host
        Assert.InRange(e.WeightsGpuMiB - c.Measured["cuda0_model_mib"], 0, 0.03 * c.Measured["cuda0_model_mib"]);
    }

    [Fact]
    public void Gemma4_global_and_SWA_KV_equal_the_measured_MiB()
    {
        var c = Find("gemma4-12b-q4km-swa-kv");
        var e = VramCases.Rows(c.Id, c.Measured).Single().Estimate;
        Assert.Equal(c.Measured["kv_global_mib"], e.KvMiB - e.KvSwaMiB);
        Assert.Equal(c.Measured["kv_swa_mib"], e.KvSwaMiB);
        Assert.Contains(e.Parts, p => p.Rule.Contains($"{c.Measured["kv_swa_cells"]} cells", StringComparison.Ordinal));
        Assert.Contains(e.Parts, p => p.Rule.Contains($"{c.Measured["kv_global_cells"]} cells", StringComparison.Ordinal));
        Assert.Equal(c.Measured["cuda_host_model_mib"], e.WeightsHostMiB, 2);
    }

    /// <summary>
    /// The MI300X compute buffers come from replaying ggml's graph allocator over llama.cpp's graph (ComputeGraph);
    /// the replay lands on the measured MiB (to the 0.01 MiB the issue prints), not merely inside the bar.
    /// </summary>
    [Fact]
    public void Small_MoE_compute_buffers_equal_the_measured_MiB()
    {
        var c = Find("small-moe-compute-buffers-mi300x");
        var rows = VramCases.Rows(c.Id, c.Measured).ToList();
        Assert.Equal(3, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(row.MeasuredMiB, Math.Round(row.EstimateMiB, 2));
            Assert.Contains(row.Estimate.Parts, p => p.Kind == FitPartKind.Compute && p.Rule.Contains("graph allocator", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Docs_fit_md_records_every_row()
    {
        SharedFiles.RequirePath("vram-cases.yaml");
        var docs = Path.Combine(RepoRoot(), "docs", "fit.md");
        var text = File.ReadAllText(docs);
        foreach (var c in LoadCases())
        {
            foreach (var row in VramCases.Rows(c.Id, c.Measured))
            {
                Assert.True(text.Contains(row.TableLine, StringComparison.Ordinal), $"docs/fit.md lacks the row:\n{row.TableLine}");
            }
        }
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "llmctl.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("llmctl.slnx not found above the test binaries");
    }

    /// <summary>Prints every row (dotnet test --logger "console;verbosity=detailed") to refresh docs/fit.md.</summary>
    [Fact]
    public void Rows_print_for_the_docs()
    {
        var lines = LoadCases().SelectMany(c => VramCases.Rows(c.Id, c.Measured)).Select(r => r.TableLine).ToList();
        Assert.NotEmpty(lines);
        TestContext.Current.SendDiagnosticMessage(string.Join("\n", lines));
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "llmctl-fit-rows.md"), lines);
    }
}
