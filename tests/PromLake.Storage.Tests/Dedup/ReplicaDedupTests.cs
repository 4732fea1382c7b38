using CsCheck;
using PromLake.Storage.Dedup;
using PromLake.Storage.Series;

namespace PromLake.Storage.Tests.Dedup;

public class ReplicaDedupTests
{
    private static readonly ReplicaDedup Dedup = new(["__replica__", "prometheus_replica"]);

    /// <summary>A replica's scrapes: every 15 s from a phase, with gaps where it was down.</summary>
    private static readonly Gen<List<long>> Scrapes =
        Gen.Select(Gen.Long[0, 14_999], Gen.Int[10, 200], Gen.Int[0, 150], Gen.Int[0, 60], Gen.Long[-500, 500].Array[200])
            .Select(t =>
            {
                var (phase, count, gapAt, gapLength, jitter) = t;
                var times = new List<long>();
                for (var i = 0; i < count; i++)
                {
                    if (i >= gapAt && i < gapAt + gapLength)
                    {
                        continue;
                    }

                    times.Add(1_700_000_000_000 + phase + (i * 15_000) + jitter[i]);
                }

                return times;
            });

    [Fact]
    public void Merged_replicas_never_exceed_the_scrape_rate_and_every_sample_comes_from_a_replica()
    {
        Gen.Select(Scrapes, Scrapes).Sample((a, b) =>
        {
            var merged = ReplicaDedup.Merge([a, b], static t => t);

            Assert.Equal(merged.Order().Distinct(), merged);
            Assert.All(merged, t => Assert.True(a.Contains(t) || b.Contains(t)));
            // Interleaving two replicas would double the rate; the penalty keeps it near one.
            var all = a.Concat(b).ToList();
            var span = all.Count == 0 ? 0 : all.Max() - all.Min();
            Assert.True(merged.Count <= (span / 15_000) + 3, $"{merged.Count} samples over {span} ms");
        });
    }

    [Fact]
    public void A_gap_in_one_replica_is_filled_from_the_other()
    {
        var a = Enumerable.Range(0, 100).Where(i => i is < 30 or >= 60).Select(i => 1_000_000L + (i * 15_000)).ToList();
        var b = Enumerable.Range(0, 100).Select(i => 1_000_000L + 4_000 + (i * 15_000)).ToList();

        var merged = ReplicaDedup.Merge([a, b], static t => t);

        // The switch costs at most the penalty (twice the last step) plus the replicas' offset.
        var steps = merged.Zip(merged.Skip(1), (x, y) => y - x).ToList();
        Assert.All(steps, step => Assert.InRange(step, 4_000, (2 * 15_000) + 4_000));
        Assert.Contains(merged, t => t > a[29] && t < a[30]);
        Assert.InRange(merged.Count, 95, 101);
    }

    [Fact]
    public void Identical_replicas_give_one_replica_and_the_replica_label_is_dropped()
    {
        var samples = Enumerable.Range(0, 50).Select(i => new Sample(1_000_000L + (i * 15_000), i)).ToList();
        var a = new StoredSeries([new("__name__", "up"), new("job", "node"), new("__replica__", "a")]);
        var b = new StoredSeries([new("__name__", "up"), new("job", "node"), new("__replica__", "b")]);
        a.Samples.AddRange(samples);
        b.Samples.AddRange(samples);

        var merged = Assert.Single(Dedup.Apply([b, a]));

        Assert.Equal("{__name__=\"up\", job=\"node\"}", merged.ToString());
        Assert.Equal(samples, merged.Samples);
    }

    [Fact]
    public void Stale_markers_survive_bit_for_bit()
    {
        var stale = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);
        var a = new StoredSeries([new("__name__", "up"), new("__replica__", "a")]);
        a.Samples.Add(new Sample(1_000, 1));
        a.Samples.Add(new Sample(16_000, stale));

        var merged = Assert.Single(Dedup.Apply([a]));

        Assert.Equal(0x7ff0000000000002UL, BitConverter.DoubleToUInt64Bits(merged.Samples[1].Value));
    }
}
