namespace PromLake.Log.Tests;

public sealed class GroupCommitterTests
{
    [Fact]
    public async Task Concurrent_publishers_share_commits()
    {
        var log = new FakeLog();
        await using var committer = new GroupCommitter("test", 0, log.CommitAsync);

        log.Tail = 1;
        var first = committer.WaitForCommitAsync(1, CancellationToken.None).AsTask();
        await log.FirstCommitStarted.Task;

        // A hundred publishers append while the first commit is writing to disk...
        var others = new List<Task>();
        for (var i = 2; i <= 101; i++)
        {
            log.Tail = i;
            others.Add(committer.WaitForCommitAsync(i, CancellationToken.None).AsTask());
        }

        Assert.False(first.IsCompleted);
        log.FinishFirstCommit.SetResult();
        await first;
        await Task.WhenAll(others);

        // ...and one more commit covers all of them.
        Assert.Equal(2, log.Commits);
        Assert.Equal(2, committer.CommitCount);
        Assert.Equal(101, committer.CommittedUntil);
    }

    [Fact]
    public async Task A_failed_commit_fails_its_waiters_and_every_later_one()
    {
        var attempts = 0;
        await using var committer = new GroupCommitter("shard 7", 0, () =>
        {
            attempts++;
            return Task.FromException<long>(new IOException("disk full"));
        });

        var error = await Assert.ThrowsAsync<IOException>(() => committer.WaitForCommitAsync(10, CancellationToken.None).AsTask());
        var later = await Assert.ThrowsAsync<IOException>(() => committer.WaitForCommitAsync(20, CancellationToken.None).AsTask());

        Assert.Contains("shard 7", error.Message);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Same(error, later);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_waiter_can_stop_waiting_without_stopping_the_commit()
    {
        var log = new FakeLog();
        await using var committer = new GroupCommitter("test", 0, log.CommitAsync);
        using var cancellation = new CancellationTokenSource();

        log.Tail = 5;
        var cancelled = committer.WaitForCommitAsync(5, cancellation.Token).AsTask();
        var patient = committer.WaitForCommitAsync(5, CancellationToken.None).AsTask();
        await log.FirstCommitStarted.Task;
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        log.FinishFirstCommit.SetResult();
        await patient;
        Assert.Equal(5, committer.CommittedUntil);
    }

    /// <summary>A log whose first commit waits for the test, so commits can overlap appends on cue.</summary>
    private sealed class FakeLog
    {
        private int _commits;

        public long Tail;

        public int Commits => Volatile.Read(ref _commits);

        public TaskCompletionSource FirstCommitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FinishFirstCommit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<long> CommitAsync()
        {
            // Like FasterLog, a commit covers what was appended before it began.
            var tail = Volatile.Read(ref Tail);
            if (Interlocked.Increment(ref _commits) == 1)
            {
                FirstCommitStarted.SetResult();
                await FinishFirstCommit.Task;
            }

            return tail;
        }
    }
}
