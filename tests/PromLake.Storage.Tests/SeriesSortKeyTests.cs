using CsCheck;
using PromLake.Storage.Series;

namespace PromLake.Storage.Tests;

public class SeriesSortKeyTests
{
    private static readonly Gen<string> Part = Gen.OneOf(Gen.String[Gen.Char["a\0\u0001\uffff"], 0, 4], Gen.String[Gen.Char, 0, 4]);

    private static readonly Gen<StoredSeries> Series =
        Gen.Select(Part, Gen.Select(Gen.String[Gen.Char["ab\0"], 1, 3], Part).Array[0, 3])
            .Select(t =>
            {
                var labels = t.Item2.DistinctBy(l => l.Item1).Select(l => new Label(l.Item1, l.Item2)).ToList();
                labels.Add(new Label(Label.MetricName, t.Item1));
                return new StoredSeries(labels);
            });

    [Fact]
    public void Keys_compare_ordinally_as_the_block_order_compares_series()
    {
        Gen.Select(Series, Series).Sample((x, y) =>
            Math.Sign(string.CompareOrdinal(SeriesSortKey.Of(x), SeriesSortKey.Of(y))) == Math.Sign(SeriesOrder.Instance.Compare(x, y)),
            iter: 5000);
    }
}
