using Llmctl.Fit.Facts;

namespace Llmctl.Fit.Tests;

public sealed class ModelFactsTests
{
    [Fact]
    public void Tensor_totals_add_every_placement_class()
    {
        var bytes = new TensorBytes
        {
            TokenEmbedding = 100, Output = 50, Other = 1,
            AttentionPerLayer = [10, 10], DenseFfnPerLayer = [0, 20], ExpertsPerLayer = [300, 300], OtherPerLayer = [2, 2],
        };

        Assert.Equal(20, bytes.Attention);
        Assert.Equal(600, bytes.Experts);
        Assert.Equal(100 + 50 + 1 + 20 + 20 + 600 + 4, bytes.Total);
    }
}
