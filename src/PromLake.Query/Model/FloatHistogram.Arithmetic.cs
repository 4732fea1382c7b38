namespace PromLake.Query.Model;

/// <summary>What adding or subtracting two histograms ran into.</summary>
/// <param name="Incompatible">One uses exponential and the other custom buckets: nothing was changed.</param>
/// <param name="CounterResetCollision">One said CounterReset, the other NotCounterReset; the result says Unknown.</param>
/// <param name="CustomBoundsReconciled">Custom bucket bounds differed and the result uses only the bounds both have.</param>
public readonly record struct HistogramCombination(bool Incompatible, bool CounterResetCollision, bool CustomBoundsReconciled);

public sealed partial class FloatHistogram
{
    /// <summary>Scales every count and the sum; a negative factor turns the histogram into a gauge.</summary>
    public FloatHistogram Mul(double factor)
    {
        ZeroCount *= factor;
        Count *= factor;
        Sum *= factor;
        Scale(PositiveBuckets, factor);
        Scale(NegativeBuckets, factor);
        if (factor < 0)
        {
            CounterResetHint = CounterResetHint.Gauge;
        }

        return this;
    }

    /// <summary>Divides every count and the sum; dividing by zero removes all buckets (their counts would be ±Inf or NaN).</summary>
    public FloatHistogram Div(double divisor)
    {
        ZeroCount /= divisor;
        Count /= divisor;
        Sum /= divisor;
        if (divisor == 0)
        {
            PositiveSpans = [];
            PositiveBuckets = [];
            NegativeSpans = [];
            NegativeBuckets = [];
            return this;
        }

        for (var i = 0; i < PositiveBuckets.Count; i++)
        {
            PositiveBuckets[i] /= divisor;
        }

        for (var i = 0; i < NegativeBuckets.Count; i++)
        {
            NegativeBuckets[i] /= divisor;
        }

        if (divisor < 0)
        {
            CounterResetHint = CounterResetHint.Gauge;
        }

        return this;
    }

    private static void Scale(List<double> buckets, double factor)
    {
        for (var i = 0; i < buckets.Count; i++)
        {
            buckets[i] *= factor;
        }
    }

    /// <summary>
    /// Adds <paramref name="other"/> into this histogram, as Prometheus's Add: the result takes the lower of the
    /// two schemas and a zero bucket wide enough for both; custom bounds that differ are reduced to the bounds
    /// both share. Buckets may be left empty; <see cref="Compact"/> removes them.
    /// </summary>
    public HistogramCombination Add(FloatHistogram other) => Combine(other, 1);

    /// <summary>As <see cref="Add"/>, subtracting. The PromQL "-" operator then marks the result as a gauge.</summary>
    public HistogramCombination Sub(FloatHistogram other) => Combine(other, -1);

    private HistogramCombination Combine(FloatHistogram other, double sign)
    {
        if (UsesCustomBuckets != other.UsesCustomBuckets)
        {
            return new HistogramCombination(true, false, false);
        }

        var collision = AdjustCounterReset(other);
        if (UsesCustomBuckets)
        {
            Count += sign * other.Count;
            Sum += sign * other.Sum;
            var reconciled = !CustomBoundsMatch(CustomValues, other.CustomValues);
            IndexedBuckets merged;
            if (!reconciled)
            {
                merged = IndexedBuckets.From(PositiveSpans, PositiveBuckets).Merge(IndexedBuckets.From(other.PositiveSpans, other.PositiveBuckets), sign);
            }
            else
            {
                var bounds = IntersectBounds(CustomValues, other.CustomValues);
                var target = new double[bounds.Count + 1];
                MapOntoBounds(IndexedBuckets.From(PositiveSpans, PositiveBuckets), CustomValues, bounds, target, 1);
                MapOntoBounds(IndexedBuckets.From(other.PositiveSpans, other.PositiveBuckets), other.CustomValues, bounds, target, sign);
                merged = new IndexedBuckets(target.Length);
                for (var i = 0; i < target.Length; i++)
                {
                    if (target[i] != 0)
                    {
                        merged.Add(i, target[i]);
                    }
                }

                CustomValues = bounds;
            }

            (PositiveSpans, PositiveBuckets) = merged.ToSpans();
            return new HistogramCombination(false, collision, reconciled);
        }

        var otherZeroCount = ReconcileZeroBuckets(other);
        ZeroCount += sign * otherZeroCount;
        Count += sign * other.Count;
        Sum += sign * other.Sum;
        var schema = Math.Min(Schema, other.Schema);
        var threshold = ZeroThreshold;
        bool Absorbed(int idx) => ExponentialBound(idx, schema) <= threshold;
        var pos = IndexedBuckets.From(PositiveSpans, PositiveBuckets).Reduce(Schema - schema)
            .Merge(IndexedBuckets.From(other.PositiveSpans, other.PositiveBuckets).Reduce(other.Schema - schema), sign, Absorbed);
        var neg = IndexedBuckets.From(NegativeSpans, NegativeBuckets).Reduce(Schema - schema)
            .Merge(IndexedBuckets.From(other.NegativeSpans, other.NegativeBuckets).Reduce(other.Schema - schema), sign, Absorbed);
        Schema = schema;
        (PositiveSpans, PositiveBuckets) = pos.ToSpans();
        (NegativeSpans, NegativeBuckets) = neg.ToSpans();
        return new HistogramCombination(false, collision, false);
    }

    /// <summary>
    /// Adds <paramref name="other"/> with Kahan–Neumaier compensation of every count, the sum and every bucket:
    /// <paramref name="compensation"/> (created on first use, same layout as this histogram) collects what
    /// the additions rounded away; add it to the result at the end.
    /// </summary>
    public HistogramCombination KahanAdd(FloatHistogram other, ref FloatHistogram? compensation)
    {
        if (UsesCustomBuckets != other.UsesCustomBuckets)
        {
            return new HistogramCombination(true, false, false);
        }

        var collision = AdjustCounterReset(other);
        compensation ??= new FloatHistogram { Schema = Schema, ZeroThreshold = ZeroThreshold, CustomValues = CustomValues };
        var c = compensation;
        (Count, c.Count) = KahanInc(other.Count, Count, c.Count);
        (Sum, c.Sum) = KahanInc(other.Sum, Sum, c.Sum);
        if (UsesCustomBuckets)
        {
            var mine = IndexedBuckets.From(PositiveSpans, PositiveBuckets);
            var comp = IndexedBuckets.From(c.PositiveSpans, c.PositiveBuckets);
            var theirs = IndexedBuckets.From(other.PositiveSpans, other.PositiveBuckets);
            var reconciled = !CustomBoundsMatch(CustomValues, other.CustomValues);
            if (reconciled)
            {
                var bounds = IntersectBounds(CustomValues, other.CustomValues);
                mine = MapOntoBounds(mine, CustomValues, bounds);
                comp = MapOntoBounds(comp, CustomValues, bounds);
                theirs = MapOntoBounds(theirs, other.CustomValues, bounds);
                CustomValues = bounds;
                c.CustomValues = bounds;
            }

            var (sum, cs) = KahanMerge(mine, comp, theirs, null);
            (PositiveSpans, PositiveBuckets) = sum.ToSpans();
            (c.PositiveSpans, c.PositiveBuckets) = cs.ToSpans();
            return new HistogramCombination(false, collision, reconciled);
        }

        var oldThreshold = ZeroThreshold;
        var otherZeroCount = ReconcileZeroBuckets(other);
        if (ZeroThreshold != oldThreshold)
        {
            c.FoldIntoZeroBucket(ZeroThreshold);
        }

        (ZeroCount, c.ZeroCount) = KahanInc(otherZeroCount, ZeroCount, c.ZeroCount);
        var schema = Math.Min(Schema, other.Schema);
        var threshold = ZeroThreshold;
        bool Absorbed(int idx) => ExponentialBound(idx, schema) <= threshold;
        var (pos, posC) = KahanMerge(
            IndexedBuckets.From(PositiveSpans, PositiveBuckets).Reduce(Schema - schema),
            IndexedBuckets.From(c.PositiveSpans, c.PositiveBuckets).Reduce(Schema - schema),
            IndexedBuckets.From(other.PositiveSpans, other.PositiveBuckets).Reduce(other.Schema - schema),
            Absorbed);
        var (neg, negC) = KahanMerge(
            IndexedBuckets.From(NegativeSpans, NegativeBuckets).Reduce(Schema - schema),
            IndexedBuckets.From(c.NegativeSpans, c.NegativeBuckets).Reduce(Schema - schema),
            IndexedBuckets.From(other.NegativeSpans, other.NegativeBuckets).Reduce(other.Schema - schema),
            Absorbed);
        Schema = schema;
        c.Schema = schema;
        c.ZeroThreshold = ZeroThreshold;
        (PositiveSpans, PositiveBuckets) = pos.ToSpans();
        (NegativeSpans, NegativeBuckets) = neg.ToSpans();
        (c.PositiveSpans, c.PositiveBuckets) = posC.ToSpans();
        (c.NegativeSpans, c.NegativeBuckets) = negC.ToSpans();
        return new HistogramCombination(false, collision, false);
    }

    /// <summary>Sums <paramref name="theirs"/> into <paramref name="mine"/> bucket by bucket, compensation in a list of the same layout.</summary>
    private static (IndexedBuckets Sum, IndexedBuckets Compensation) KahanMerge(IndexedBuckets mine, IndexedBuckets comp, IndexedBuckets theirs, Func<int, bool>? skipBelow)
    {
        // Align the compensation with the sum's layout first.
        var aligned = new double[mine.Length];
        for (int i = 0, j = 0; i < mine.Length && j < comp.Length;)
        {
            if (mine.Index[i] == comp.Index[j])
            {
                aligned[i++] = comp.Count[j++];
            }
            else if (mine.Index[i] < comp.Index[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        var sum = new IndexedBuckets(mine.Length + theirs.Length);
        var cs = new IndexedBuckets(mine.Length + theirs.Length);
        int a = 0, b = 0;
        var skipping = skipBelow is not null;
        while (a < mine.Length || b < theirs.Length)
        {
            if (b < theirs.Length && skipping)
            {
                if (skipBelow!(theirs.Index[b]))
                {
                    b++;
                    continue;
                }

                skipping = false;
            }

            if (b >= theirs.Length || (a < mine.Length && mine.Index[a] < theirs.Index[b]))
            {
                sum.Add(mine.Index[a], mine.Count[a]);
                cs.Add(mine.Index[a], aligned[a]);
                a++;
            }
            else if (a >= mine.Length || theirs.Index[b] < mine.Index[a])
            {
                sum.Add(theirs.Index[b], theirs.Count[b]);
                cs.Add(theirs.Index[b], 0);
                b++;
            }
            else
            {
                var (v, cv) = KahanInc(theirs.Count[b], mine.Count[a], aligned[a]);
                sum.Add(mine.Index[a], v);
                cs.Add(mine.Index[a], cv);
                a++;
                b++;
            }
        }

        return (sum, cs);
    }

    /// <summary>Kahan–Neumaier: adds <paramref name="inc"/> to <paramref name="sum"/>, collecting the rounding error in <paramref name="c"/>.</summary>
    internal static (double Sum, double C) KahanInc(double inc, double sum, double c)
    {
        var t = sum + inc;
        if (double.IsInfinity(t))
        {
            c = 0;
        }
        else if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += (sum - t) + inc;
        }
        else
        {
            c += (inc - t) + sum;
        }

        return (t, c);
    }

    /// <summary>
    /// Sets the result's counter reset hint as Prometheus's adjustCounterReset: equal hints stay; a gauge on
    /// either side makes a gauge; Unknown on either side makes Unknown; CounterReset against NotCounterReset
    /// is a collision (reported, and Unknown).
    /// </summary>
    private bool AdjustCounterReset(FloatHistogram other)
    {
        var mine = CounterResetHint;
        var theirs = other.CounterResetHint;
        if (theirs == mine || mine == CounterResetHint.Gauge)
        {
            return false;
        }

        if (theirs == CounterResetHint.Gauge)
        {
            CounterResetHint = CounterResetHint.Gauge;
            return false;
        }

        if (mine == CounterResetHint.Unknown)
        {
            return false;
        }

        if (theirs == CounterResetHint.Unknown)
        {
            CounterResetHint = CounterResetHint.Unknown;
            return false;
        }

        CounterResetHint = CounterResetHint.Unknown;
        return true;
    }

    /// <summary>A copy in the (lower or equal) <paramref name="targetSchema"/>, buckets merged accordingly.</summary>
    public FloatHistogram CopyToSchema(int targetSchema)
    {
        var c = Copy();
        if (targetSchema == Schema || UsesCustomBuckets)
        {
            return c;
        }

        (c.PositiveSpans, c.PositiveBuckets) = IndexedBuckets.From(PositiveSpans, PositiveBuckets).Reduce(Schema - targetSchema).ToSpans();
        (c.NegativeSpans, c.NegativeBuckets) = IndexedBuckets.From(NegativeSpans, NegativeBuckets).Reduce(Schema - targetSchema).ToSpans();
        c.Schema = targetSchema;
        return c;
    }

    /// <summary>Removes empty buckets (Prometheus's Compact(0)).</summary>
    public FloatHistogram Compact()
    {
        (PositiveSpans, PositiveBuckets) = IndexedBuckets.From(PositiveSpans, PositiveBuckets).WithoutEmpty().ToSpans();
        (NegativeSpans, NegativeBuckets) = IndexedBuckets.From(NegativeSpans, NegativeBuckets).WithoutEmpty().ToSpans();
        return this;
    }
}
