using PromLake.Query.Model;
using PromLake.Query.Storage;

namespace PromLake.Query.Tests.Engine;

/// <summary>
/// A store of <c>requests_total{instance="iNNNN", job="jN"}</c> counters, one sample a minute at each
/// series' own second, with resets, gaps and (optionally) NaN, infinities, -0 and huge values mixed in.
/// </summary>
internal static class SyntheticCounters
{
    public const long Minute = 60_000;

    private static readonly double[] Specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 1e308];

    public static InMemorySeriesStore Create(int series, int minutes, int seed, bool specials = false)
    {
        var store = new InMemorySeriesStore();
        var random = new Random(seed);
        for (var s = 0; s < series; s++)
        {
            var labels = Labels.FromStrings("__name__", "requests_total", "instance", $"i{s:D4}", "job", $"j{s % 3}");
            var value = 0.0;
            for (var t = 0; t < minutes; t++)
            {
                value = random.Next(50) == 0 ? 1 : value + random.NextDouble() * 10;
                if (random.Next(20) != 0)
                {
                    var stored = specials && random.Next(200) == 0 ? Specials[random.Next(Specials.Length)] : value;
                    store.Append(labels, new StoredSample(t * Minute + s * 97 % 60_000, stored));
                }
            }
        }

        return store;
    }
}
