package io.fondation.convexqueue.client;

/**
 * The deployment refused the request before running any function: HTTP 4xx (other than 429)
 * with a body {@code {"code", "message"}}, e.g. 400 {@code BadJsonBody},
 * {@code BadConvexFunctionIdentifier}, 401 {@code BadAdminKey}, {@code InvalidAuthHeader}.
 * Retrying does not help; the caller's configuration or code must change.
 */
public class ConvexRequestException extends ConvexException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String code;

    /**
     * @param httpStatus the HTTP status
     * @param code the deployment's error code, or {@code HTTP_<status>} when the body had none
     * @param message a description (secrets already removed)
     */
    public ConvexRequestException(int httpStatus, String code, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    /** The HTTP status, e.g. 400 or 401. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The deployment's error code, e.g. {@code BadAdminKey}. */
    public String code() {
        return code;
    }

    /** Whether the deployment refused the credentials (HTTP 401 or 403). */
    public boolean isAuthenticationFailure() {
        return httpStatus == 401 || httpStatus == 403;
    }
}
