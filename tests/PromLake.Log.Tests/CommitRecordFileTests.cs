namespace PromLake.Log.Tests;

public sealed class CommitRecordFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Commit_records_alternate_slots_and_the_newest_two_survive_reopening()
    {
        var path = _directory.Combine("commit");
        using (var commits = new CommitRecordFile(path, _directory.Path, segmentSizeBits: 16))
        {
            commits.Commit(64, 100, [1], commitNum: 1, forceWriteMetadata: false);
            commits.Commit(64, 200, [2], commitNum: 2, forceWriteMetadata: false);
            commits.Commit(64, 300, [3, 3], commitNum: 3, forceWriteMetadata: false);
        }

        using var reopened = new CommitRecordFile(path, _directory.Path, segmentSizeBits: 16);
        Assert.Equal([3L, 2L], reopened.ListCommits());
        Assert.Equal([3, 3], reopened.GetCommitMetadata(3));
        Assert.Equal([2], reopened.GetCommitMetadata(2));
        Assert.Null(reopened.GetCommitMetadata(1));
        Assert.Equal(8192, new FileInfo(path).Length);
    }

    [Fact]
    public async Task A_failed_commit_record_write_is_reported_and_refuses_later_commits()
    {
        var commits = new CommitRecordFile(_directory.Combine("commit"), _directory.Path, segmentSizeBits: 16);
        commits.Dispose(); // the file handle is gone, so the next write fails as a failing disk would

        Assert.ThrowsAny<Exception>(() => commits.Commit(64, 100, [1], commitNum: 1, forceWriteMetadata: false));

        // FASTER swallows the exception above; the shard learns of it here instead.
        await Assert.ThrowsAsync<IOException>(() => commits.Failure);
        Assert.Throws<IOException>(() => commits.Commit(64, 200, [2], commitNum: 2, forceWriteMetadata: false));
    }
}
