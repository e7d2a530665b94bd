package dev.weft.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that runs against real infrastructure: its tests, constructors and lifecycle methods may take a
 * {@link WeftInfra} parameter. Same as {@code @ExtendWith(WeftInfraExtension.class)}.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(WeftInfraExtension.class)
public @interface WeftIntegrationTest {}
