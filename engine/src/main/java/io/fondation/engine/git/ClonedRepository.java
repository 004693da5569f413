package io.fondation.engine.git;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A repository checked out for a job.
 *
 * @param directory the working tree
 * @param url the URL cloned, without credentials
 * @param branch the branch checked out (the remote's default when the job named none)
 * @param commit the id of the commit checked out
 * @param duration how long listing, fetching and checking out took
 */
public record ClonedRepository(Path directory, String url, String branch, String commit, Duration duration) {}
