using CsCheck;
using PromLake.Storage.Dedup;
using PromLake.Storage.Series;

namespace PromLake.Storage.Tests.Dedup;

public class RepeatDedupTests
{
    [Fact]
    public void One_sample_per_timestamp_the_last_written_wins_in_time_order()
    {
        Gen.Select(Gen.Long[0, 20], Gen.Double).List[0, 60].Sample(pairs =>
        {
            var samples = pairs.Select(p => new Sample(p.Item1, p.Item2)).ToList();
            var expected = samples
                .Select((s, i) => (s, i))
                .GroupBy(x => x.s.Timestamp)
                .Select(g => g.OrderBy(x => x.i).Last().s)
                .OrderBy(s => s.Timestamp)
                .ToList();

            RepeatDedup.Apply(samples);

            Assert.Equal(expected, samples);
        });
    }

    [Fact]
    public void A_resent_request_leaves_exactly_the_original_samples()
    {
        var original = Enumerable.Range(0, 10).Select(i => new Sample(i * 1000L, i)).ToList();
        var samples = original.Concat(original).ToList();

        RepeatDedup.Apply(samples);

        Assert.Equal(original, samples);
    }

    [Fact]
    public void Exemplars_keep_one_of_each_repeat_and_every_distinct_one_in_time_order()
    {
        var labels = Gen.OneOf(Gen.Const(Array.Empty<Label>()), Gen.Const(new[] { new Label("trace_id", "a") }), Gen.Const(new[] { new Label("trace_id", "b") }));
        Gen.Select(Gen.Long[0, 5], Gen.OneOf(Gen.Const(1.0), Gen.Const(2.0), Gen.Const(double.NaN)), labels).List[0, 40].Sample(triples =>
        {
            var exemplars = triples.Select(t => new Exemplar(t.Item1, t.Item2, t.Item3)).ToList();
            var key = (Exemplar e) => (e.Timestamp, BitConverter.DoubleToUInt64Bits(e.Value), string.Join(",", e.Labels));
            var expected = exemplars.DistinctBy(key).OrderBy(e => e.Timestamp).Select(key).ToList();

            RepeatDedup.Apply(exemplars);

            Assert.Equal(expected, exemplars.Select(key).ToList());
        });
    }
}
